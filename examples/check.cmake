# ctest's check of the C++ package (tests/cpp/CMakeLists.txt): installs the build in BUILD into a fresh prefix,
# builds examples/ against it with find_package(hamsam) and runs the program.
#   cmake -DBUILD=<build dir> -DSOURCE=<examples dir> -DWORK=<scratch dir> [-DGENERATOR=.. -DMAKE_PROGRAM=..
#         -DCXX=.. -DLAUNCHER=..] -P check.cmake   (optional: the generator, compiler and launcher of the build)
file(REMOVE_RECURSE "${WORK}")
set(configure "${CMAKE_COMMAND};-S;${SOURCE};-B;${WORK}/build;-DCMAKE_PREFIX_PATH=${WORK}/prefix")
foreach(pair "GENERATOR;-G" "MAKE_PROGRAM;-DCMAKE_MAKE_PROGRAM=" "CXX;-DCMAKE_CXX_COMPILER="
             "LAUNCHER;-DCMAKE_CXX_COMPILER_LAUNCHER=")
  list(GET pair 0 var)
  list(GET pair 1 flag)
  if(${var})
    list(APPEND configure "${flag}${${var}}")
  endif()
endforeach()
foreach(step
    "${CMAKE_COMMAND};--install;${BUILD};--prefix;${WORK}/prefix"
    "${configure}"
    "${CMAKE_COMMAND};--build;${WORK}/build"
    "${WORK}/build/fit_pendulum;${WORK}/pendulum.hsm")
  execute_process(COMMAND ${step} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${step}\n${out}\n${err}")
  endif()
endforeach()
message(STATUS "${out}")
