# cmake -DBUILD_DIR= -DSRC= -DWORK= -DCC= -P build-installed.cmake: install
# the tcesim of BUILD_DIR into WORK/prefix, then build the C examples of SRC
# twice against it, as users do: WORK/cmake (find_package(tcesim), SRC's
# CMakeLists.txt) and WORK/pkgconfig (CC + `pkg-config --cflags --libs
# tcesim cmocka`). The example_c_* tests then run both sets.
set(examples seed000_exchange vfio_spapr_v2 kvm_liobn_hcalls sva_prq_fault)
file(REMOVE_RECURSE ${WORK})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK}/prefix
	RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
	message(FATAL_ERROR "cmake --install ${BUILD_DIR} failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SRC} -B ${WORK}/cmake -DCMAKE_C_COMPILER=${CC}
	-DCMAKE_PREFIX_PATH=${WORK}/prefix RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
	message(FATAL_ERROR "examples/c: find_package(tcesim) configure failed:\n${out}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${WORK}/cmake RESULT_VARIABLE rc
	OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
	message(FATAL_ERROR "examples/c: build against the installed package failed:\n${out}")
endif()
file(GLOB_RECURSE pcs ${WORK}/prefix/*/tcesim.pc)
list(GET pcs 0 pc)
get_filename_component(pcdir ${pc} DIRECTORY)
set(ENV{PKG_CONFIG_PATH} ${pcdir})
execute_process(COMMAND pkg-config --cflags --libs tcesim cmocka OUTPUT_VARIABLE flags
	OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT flags MATCHES "-ltcesim")
	message(FATAL_ERROR "pkg-config --libs tcesim cmocka failed: ${flags}")
endif()
separate_arguments(flags)
file(MAKE_DIRECTORY ${WORK}/pkgconfig)
foreach(ex IN LISTS examples)
	execute_process(COMMAND ${CC} -std=c11 -Wall -Wextra -Werror ${SRC}/${ex}.c ${flags}
		-o ${WORK}/pkgconfig/${ex} RESULT_VARIABLE rc ERROR_VARIABLE out)
	if(NOT rc EQUAL 0)
		message(FATAL_ERROR "examples/c/${ex}.c: pkg-config build failed:\n${out}")
	endif()
endforeach()
message(STATUS "examples/c: built with find_package and with pkg-config")
