# Run by the build (cmake -P) before the programs are linked: writes OUTPUT, a header defining
# OFFLOAD_GIT_REVISION as `git describe --always --dirty` of SOURCE_DIR, or "unknown" without
# git or a .git folder. The file is rewritten only when the revision changed, so a build with
# nothing new recompiles nothing.
set(revision "unknown")
if(GIT_EXECUTABLE AND EXISTS "${SOURCE_DIR}/.git")
  execute_process(COMMAND "${GIT_EXECUTABLE}" describe --always --dirty
                  WORKING_DIRECTORY "${SOURCE_DIR}"
                  OUTPUT_VARIABLE described OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE failed ERROR_QUIET)
  if(NOT failed AND described)
    set(revision "${described}")
  endif()
endif()
set(text "// Written by flags/git_revision.cmake at build time: do not edit.\n#pragma once\n#define OFFLOAD_GIT_REVISION \"${revision}\"\n")
if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" old)
else()
  set(old "")
endif()
if(NOT old STREQUAL text)
  file(WRITE "${OUTPUT}" "${text}")
endif()
