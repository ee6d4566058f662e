file(REMOVE_RECURSE
  "CMakeFiles/tcesim_mem.dir/hostmem.c.o"
  "CMakeFiles/tcesim_mem.dir/hostmem.c.o.d"
  "CMakeFiles/tcesim_mem.dir/mm.c.o"
  "CMakeFiles/tcesim_mem.dir/mm.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/tcesim_mem.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
