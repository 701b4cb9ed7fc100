# CMake generated Testfile for 
# Source directory: /work/main/tests
# Build directory: /work/main/build-asan/tests
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test(util.text "/work/main/build-asan/tests/test_util_text")
set_tests_properties(util.text PROPERTIES  LABELS "unit;util" WORKING_DIRECTORY "/work/main/build-asan/tests" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;7;add_test;/work/main/tests/CMakeLists.txt;11;plat_unit_test;/work/main/tests/CMakeLists.txt;0;")
add_test(cli.init "/root/.pyenv/shims/python3" "/work/main/tests/cli/test_init.py")
set_tests_properties(cli.init PROPERTIES  ENVIRONMENT "PLAT_BIN=/work/main/build-asan/cli/plat;PLAT_DATA=/work/main/data;PYTHONDONTWRITEBYTECODE=1" LABELS "cli" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;21;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test(cli.project "/root/.pyenv/shims/python3" "/work/main/tests/cli/test_project.py")
set_tests_properties(cli.project PROPERTIES  ENVIRONMENT "PLAT_BIN=/work/main/build-asan/cli/plat;PLAT_DATA=/work/main/data;PYTHONDONTWRITEBYTECODE=1" LABELS "cli" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;21;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test(cli.township "/root/.pyenv/shims/python3" "/work/main/tests/cli/test_township.py")
set_tests_properties(cli.township PROPERTIES  ENVIRONMENT "PLAT_BIN=/work/main/build-asan/cli/plat;PLAT_DATA=/work/main/data;PYTHONDONTWRITEBYTECODE=1" LABELS "cli" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;21;add_test;/work/main/tests/CMakeLists.txt;0;")
subdirs("unit/gis")
