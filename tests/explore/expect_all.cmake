# expect_all.cmake - included by the explore test scripts.
# expect_all(OUT WANT): fail unless OUT contains every '|'-separated text of
# WANT. Split by hand: a CMake list would not split inside '[' ... ']', and
# schedules and explain lines contain brackets.
function(expect_all out want)
	set(rest "${want}")
	while(NOT rest STREQUAL "")
		string(FIND "${rest}" "|" bar)
		if(bar EQUAL -1)
			set(one "${rest}")
			set(rest "")
		else()
			string(SUBSTRING "${rest}" 0 ${bar} one)
			math(EXPR bar "${bar} + 1")
			string(SUBSTRING "${rest}" ${bar} -1 rest)
		endif()
		string(FIND "${out}" "${one}" at)
		if(at EQUAL -1)
			message(FATAL_ERROR "missing '${one}' in:\n${out}")
		endif()
	endwhile()
endfunction()
