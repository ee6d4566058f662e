file(REMOVE_RECURSE
  "libtcesim.pdb"
  "libtcesim.so"
  "libtcesim.so.0"
  "libtcesim.so.0.1.0"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/tcesim.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
