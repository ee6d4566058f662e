file(REMOVE_RECURSE
  "CMakeFiles/tcesim_core.dir/names.c.o"
  "CMakeFiles/tcesim_core.dir/names.c.o.d"
  "CMakeFiles/tcesim_core.dir/sync.c.o"
  "CMakeFiles/tcesim_core.dir/sync.c.o.d"
  "CMakeFiles/tcesim_core.dir/world.c.o"
  "CMakeFiles/tcesim_core.dir/world.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/tcesim_core.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
