# tcesim run --explain --schedule=S FILE twice: byte-identical output, the
# schedule still violates, and the trace shows the interleaved steps.
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
foreach(want "schedule ${SCHED}: violation" "[step 0: a " " b tce_read]" "still pinned")
	string(FIND "${out1}" "${want}" at)
	if(at EQUAL -1)
		message(FATAL_ERROR "missing '${want}' in:\n${out1}")
	endif()
endforeach()
