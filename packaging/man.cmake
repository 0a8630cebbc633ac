# Man pages (section 1) for every check, generated at build time by help2man from the built
# binaries' own --help and --version, so they cannot drift from the code and carry the one version
# from project(). Included from the top CMakeLists.txt after add_subdirectory(checks): the list of
# checks is whatever that directory defines, so a new checks/check_*.cpp gets its page unasked.
#
# ANYCAST_MAN_PAGES: AUTO (default: only when help2man is installed), ON (fail without help2man:
# the packages use this so that a package can never ship without its pages) or OFF.
set(ANYCAST_MAN_PAGES AUTO CACHE STRING "Generate man pages with help2man: AUTO, ON or OFF")
set_property(CACHE ANYCAST_MAN_PAGES PROPERTY STRINGS AUTO ON OFF)

find_program(HELP2MAN_EXECUTABLE help2man)

set(_anycast_man_wanted OFF)
if(ANYCAST_MAN_PAGES STREQUAL "AUTO")
  if(HELP2MAN_EXECUTABLE AND NOT CMAKE_CROSSCOMPILING)
    set(_anycast_man_wanted ON)
  endif()
elseif(ANYCAST_MAN_PAGES)
  if(NOT HELP2MAN_EXECUTABLE)
    message(FATAL_ERROR "ANYCAST_MAN_PAGES=ON but help2man was not found (apt-get install help2man)")
  endif()
  if(CMAKE_CROSSCOMPILING)
    message(FATAL_ERROR "ANYCAST_MAN_PAGES=ON runs the checks, which a cross build cannot do")
  endif()
  set(_anycast_man_wanted ON)
endif()

if(_anycast_man_wanted)
  get_property(_anycast_checks DIRECTORY "${PROJECT_SOURCE_DIR}/checks" PROPERTY BUILDSYSTEM_TARGETS)
  list(FILTER _anycast_checks INCLUDE REGEX "^check_")
  set(_anycast_man_script "${CMAKE_CURRENT_LIST_DIR}/man/make-manpage")
  set(_anycast_man_common "${CMAKE_CURRENT_LIST_DIR}/man/common.h2m")
  set(_anycast_man_pages "")
  foreach(check IN LISTS _anycast_checks)
    set(page "${PROJECT_BINARY_DIR}/man/${check}.1")
    # Optional per-check additions (EXAMPLES, SEE ALSO, a shorter NAME line) in help2man's
    # include format; the page is complete without one.
    set(extra "${CMAKE_CURRENT_LIST_DIR}/man/${check}.h2m")
    set(includes "${_anycast_man_common}")
    if(EXISTS "${extra}")
      list(APPEND includes "${extra}")
    endif()
    add_custom_command(
      OUTPUT "${page}"
      COMMAND "${CMAKE_COMMAND}" -E make_directory "${PROJECT_BINARY_DIR}/man"
      COMMAND sh "${_anycast_man_script}" "${HELP2MAN_EXECUTABLE}"
              "$<TARGET_FILE:${check}>" "${page}" ${includes}
      DEPENDS ${check} "${_anycast_man_script}" ${includes}
      COMMENT "Generating man page ${check}.1"
      VERBATIM)
    list(APPEND _anycast_man_pages "${page}")
  endforeach()
  add_custom_target(man_pages ALL DEPENDS ${_anycast_man_pages})
  install(FILES ${_anycast_man_pages} DESTINATION "${CMAKE_INSTALL_MANDIR}/man1")
else()
  message(STATUS "Man pages: not generated (ANYCAST_MAN_PAGES=${ANYCAST_MAN_PAGES}, help2man: ${HELP2MAN_EXECUTABLE})")
endif()
