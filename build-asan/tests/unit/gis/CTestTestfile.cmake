# CMake generated Testfile for 
# Source directory: /work/main/tests/unit/gis
# Build directory: /work/main/build-asan/tests/unit/gis
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test(gis.geos "/work/main/build-asan/tests/unit/gis/test_gis_geos")
set_tests_properties(gis.geos PROPERTIES  LABELS "unit;gis" WORKING_DIRECTORY "/work/main/build-asan/tests/unit/gis" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;7;add_test;/work/main/tests/unit/gis/CMakeLists.txt;2;plat_unit_test;/work/main/tests/unit/gis/CMakeLists.txt;0;")
add_test(gis.crs "/work/main/build-asan/tests/unit/gis/test_gis_crs")
set_tests_properties(gis.crs PROPERTIES  LABELS "unit;gis" WORKING_DIRECTORY "/work/main/build-asan/tests/unit/gis" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;7;add_test;/work/main/tests/unit/gis/CMakeLists.txt;3;plat_unit_test;/work/main/tests/unit/gis/CMakeLists.txt;0;")
add_test(gis.gcj02 "/work/main/build-asan/tests/unit/gis/test_gis_gcj02")
set_tests_properties(gis.gcj02 PROPERTIES  LABELS "unit;gis" WORKING_DIRECTORY "/work/main/build-asan/tests/unit/gis" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;7;add_test;/work/main/tests/unit/gis/CMakeLists.txt;4;plat_unit_test;/work/main/tests/unit/gis/CMakeLists.txt;0;")
add_test(gis.measure "/work/main/build-asan/tests/unit/gis/test_gis_measure")
set_tests_properties(gis.measure PROPERTIES  LABELS "unit;gis" WORKING_DIRECTORY "/work/main/build-asan/tests/unit/gis" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;7;add_test;/work/main/tests/unit/gis/CMakeLists.txt;5;plat_unit_test;/work/main/tests/unit/gis/CMakeLists.txt;0;")
add_test(gis.index "/work/main/build-asan/tests/unit/gis/test_gis_index")
set_tests_properties(gis.index PROPERTIES  LABELS "unit;gis" WORKING_DIRECTORY "/work/main/build-asan/tests/unit/gis" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;7;add_test;/work/main/tests/unit/gis/CMakeLists.txt;6;plat_unit_test;/work/main/tests/unit/gis/CMakeLists.txt;0;")
