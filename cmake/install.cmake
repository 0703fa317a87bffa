# `cmake --install build [--prefix P]`: the extension, the iccache command and what a user
# runs next to them, in the usual GNU places (GNUInstallDirs, included by the top file):
#   P/lib*/iccache/iccache.so          SELECT load_extension('P/lib/iccache/iccache')
#   P/bin/iccache                      the command line tool (Python standard library)
#   P/share/iccache/python/            its package
#   P/share/iccache/sql/               quickstart.sql, analytics.sql
#   P/share/iccache/examples/          the serving loop, the simulated models and server, data
#   P/share/doc/iccache/               README.md and docs/
#   P/lib/python3/dist-packages/iccache/  the Python package (python/iccache; Debian's python3
#                                      finds it there for /usr/local; else PYTHONPATH)
#   P/include/iccache.h, P/lib*/libiccache.a   for programs that link iccache in
#   P/lib*/pkgconfig/iccache.pc, P/lib*/cmake/iccache/   pkg-config and find_package(iccache)
#   P/share/iccache/node/              the Node package (node/)
install(TARGETS iccache LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/iccache)
install(PROGRAMS ${CMAKE_SOURCE_DIR}/cli/iccache DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/cli/iccache_cli DESTINATION ${CMAKE_INSTALL_DATADIR}/iccache/python
        FILES_MATCHING PATTERN "*.py")
install(FILES ${CMAKE_SOURCE_DIR}/sql/quickstart.sql ${CMAKE_SOURCE_DIR}/sql/analytics.sql
        DESTINATION ${CMAKE_INSTALL_DATADIR}/iccache/sql)
install(PROGRAMS ${CMAKE_SOURCE_DIR}/examples/serving_loop.py ${CMAKE_SOURCE_DIR}/examples/sim_server.py
        DESTINATION ${CMAKE_INSTALL_DATADIR}/iccache/examples)
install(FILES ${CMAKE_SOURCE_DIR}/examples/sim_models.py ${CMAKE_SOURCE_DIR}/examples/openai_backend.py
              ${CMAKE_SOURCE_DIR}/examples/serving_loop.cpp ${CMAKE_SOURCE_DIR}/examples/sim_world.h
        DESTINATION ${CMAKE_INSTALL_DATADIR}/iccache/examples)
install(FILES ${CMAKE_SOURCE_DIR}/examples/data/gsm8k_sample.json ${CMAKE_SOURCE_DIR}/examples/data/README.md
        DESTINATION ${CMAKE_INSTALL_DATADIR}/iccache/examples/data)
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(ICCACHE_PYTHON_INSTALL_DIR "lib/python3/dist-packages" CACHE STRING
    "where cmake --install puts the Python package iccache, relative to the prefix")
install(DIRECTORY ${CMAKE_SOURCE_DIR}/python/iccache DESTINATION ${ICCACHE_PYTHON_INSTALL_DIR}
        FILES_MATCHING PATTERN "*.py")

# C and C++ programs: the header, the static library, pkg-config and a CMake package config.
install(FILES ${CMAKE_SOURCE_DIR}/include/iccache.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS iccache_static ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
# The pc file names the prefix; it is configured at install time so --prefix is honoured.
install(CODE "
  set(CMAKE_INSTALL_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
  set(CMAKE_INSTALL_LIBDIR \"${CMAKE_INSTALL_LIBDIR}\")
  set(CMAKE_INSTALL_INCLUDEDIR \"${CMAKE_INSTALL_INCLUDEDIR}\")
  set(PROJECT_VERSION \"${PROJECT_VERSION}\")
  configure_file(\"${CMAKE_SOURCE_DIR}/cmake/iccache.pc.in\"
                 \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig/iccache.pc\" @ONLY)")
# The config finds the prefix from its own place (relocatable).
file(RELATIVE_PATH ICCACHE_CONFIG_TO_PREFIX "/p/${CMAKE_INSTALL_LIBDIR}/cmake/iccache" "/p")
include(CMakePackageConfigHelpers)
configure_file(${CMAKE_SOURCE_DIR}/cmake/iccacheConfig.cmake.in ${CMAKE_BINARY_DIR}/iccacheConfig.cmake @ONLY)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/iccacheConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/iccacheConfig.cmake ${CMAKE_BINARY_DIR}/iccacheConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/iccache)
# The Node package (node/: load, getLoadablePath, IccacheExampleSelector); getLoadablePath
# finds P/lib*/iccache/iccache.so from P/share/iccache/node.
install(FILES ${CMAKE_SOURCE_DIR}/node/package.json ${CMAKE_SOURCE_DIR}/node/index.js
        DESTINATION ${CMAKE_INSTALL_DATADIR}/iccache/node)
