
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/src/core/names.c" "src/core/CMakeFiles/tcesim_core.dir/names.c.o" "gcc" "src/core/CMakeFiles/tcesim_core.dir/names.c.o.d"
  "/work/main/src/core/sync.c" "src/core/CMakeFiles/tcesim_core.dir/sync.c.o" "gcc" "src/core/CMakeFiles/tcesim_core.dir/sync.c.o.d"
  "/work/main/src/core/world.c" "src/core/CMakeFiles/tcesim_core.dir/world.c.o" "gcc" "src/core/CMakeFiles/tcesim_core.dir/world.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
