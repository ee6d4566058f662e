#----------------------------------------------------------------
# Generated CMake target import file for configuration "RelWithDebInfo".
#----------------------------------------------------------------

# Commands may need to know the format version.
set(CMAKE_IMPORT_FILE_VERSION 1)

# Import target "tcesim::tcesim" for configuration "RelWithDebInfo"
set_property(TARGET tcesim::tcesim APPEND PROPERTY IMPORTED_CONFIGURATIONS RELWITHDEBINFO)
set_target_properties(tcesim::tcesim PROPERTIES
  IMPORTED_LOCATION_RELWITHDEBINFO "${_IMPORT_PREFIX}/lib/libtcesim.so.0.1.0"
  IMPORTED_SONAME_RELWITHDEBINFO "libtcesim.so.0"
  )

list(APPEND _cmake_import_check_targets tcesim::tcesim )
list(APPEND _cmake_import_check_files_for_tcesim::tcesim "${_IMPORT_PREFIX}/lib/libtcesim.so.0.1.0" )

# Commands beyond this point should not need to know the version.
set(CMAKE_IMPORT_FILE_VERSION)
