# cmake -DTCESIM=tcesim -DSCHED=S -DFILE=F "-DWANT=a|b|..." -P test_replay_grep.cmake
#
# Runs `tcesim run --explain --schedule=S F` twice: exit 0, byte-identical
# output, and every string of WANT (separated by '|') in it. Used by the
# explore tests for the counterexamples of issue 10's examples (the teaching
# example's tce_get_set, seed 003 legacy_2019, the v2 shadow race).
foreach(v TCESIM SCHED FILE WANT)
	if(NOT DEFINED ${v})
		message(FATAL_ERROR "test_replay_grep.cmake: -D${v}= is missing")
	endif()
endforeach()
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
include(${CMAKE_CURRENT_LIST_DIR}/expect_all.cmake)
expect_all("${out1}" "${WANT}")
