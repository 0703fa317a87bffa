# `cmake --install build [--prefix P]`: the extension, the iccache command and what a user
# runs next to them, in the usual GNU places (GNUInstallDirs, included by the top file):
#   P/lib*/iccache/iccache.so          SELECT load_extension('P/lib/iccache/iccache')
#   P/bin/iccache                      the command line tool (Python standard library)
#   P/share/iccache/python/            its package
#   P/share/iccache/sql/               quickstart.sql, analytics.sql
#   P/share/iccache/examples/          the serving loop, the simulated models and server, data
#   P/share/doc/iccache/               README.md and docs/
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
