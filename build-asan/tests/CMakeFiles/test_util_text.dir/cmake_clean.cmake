file(REMOVE_RECURSE
  "CMakeFiles/test_util_text.dir/unit/util/test_text.c.o"
  "CMakeFiles/test_util_text.dir/unit/util/test_text.c.o.d"
  "test_util_text"
  "test_util_text.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_util_text.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
