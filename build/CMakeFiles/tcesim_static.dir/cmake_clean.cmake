file(REMOVE_RECURSE
  "libtcesim_static.a"
  "libtcesim_static.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/tcesim_static.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
