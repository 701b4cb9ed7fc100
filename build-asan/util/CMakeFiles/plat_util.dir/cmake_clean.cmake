file(REMOVE_RECURSE
  "CMakeFiles/plat_util.dir/ctx.c.o"
  "CMakeFiles/plat_util.dir/ctx.c.o.d"
  "CMakeFiles/plat_util.dir/strbuf.c.o"
  "CMakeFiles/plat_util.dir/strbuf.c.o.d"
  "CMakeFiles/plat_util.dir/text.c.o"
  "CMakeFiles/plat_util.dir/text.c.o.d"
  "libplat_util.a"
  "libplat_util.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/plat_util.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
