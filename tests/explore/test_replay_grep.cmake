# tcesim run --explain --schedule=SCHED FILE twice: byte-identical output,
# and every string of WANT (separated by '|') in it. Used for the counterexamples of
# issue 10's examples (seed 003 legacy_2019, the v2 shadow race).
foreach(i 1 2)
	execute_process(COMMAND ${TCESIM} run --explain --schedule=${SCHED} ${FILE}
		OUTPUT_VARIABLE out${i} RESULT_VARIABLE rc${i})
endforeach()
if(NOT rc1 EQUAL 0)
	message(FATAL_ERROR "exit ${rc1}:\n${out1}")
endif()
if(NOT out1 STREQUAL out2)
	message(FATAL_ERROR "two replays differ:\n${out1}\n----\n${out2}")
endif()
string(REPLACE "|" ";" WANT "${WANT}")
foreach(want IN LISTS WANT)
	string(FIND "${out1}" "${want}" at)
	if(at EQUAL -1)
		message(FATAL_ERROR "missing '${want}' in:\n${out1}")
	endif()
endforeach()
