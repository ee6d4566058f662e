# explore_bound2.cmake -DTCESIM=... -DFILE=example.tsim -DOUT=copy.tsim -DWANT="text|text"
# Issue 10 item 8: a bundled example explored exhaustively at preemption
# bound 2, whatever bound its own explore line uses. The copy at OUT is the
# example with its explore line's preemptions=K replaced by preemptions=2
# (made at test time, so it follows the example); the run must pass (the
# example's own verdict holds at bound 2 too) and print every WANT.
file(READ "${FILE}" text)
string(REGEX REPLACE "\nexplore preemptions=[0-9]+" "\nexplore preemptions=2" text "${text}")
string(FIND "${text}" "\nexplore preemptions=2" at)
if(at EQUAL -1)
	message(FATAL_ERROR "${FILE}: no 'explore preemptions=K' line")
endif()
file(WRITE "${OUT}" "${text}")
execute_process(COMMAND ${TCESIM} run ${OUT} OUTPUT_VARIABLE out ERROR_VARIABLE err
	RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
	message(FATAL_ERROR "exit ${rc}:\n${out}\n${err}")
endif()
include(${CMAKE_CURRENT_LIST_DIR}/expect_all.cmake)
expect_all("${out}" "${WANT}")
message(STATUS "${out}")
