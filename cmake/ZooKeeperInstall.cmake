# Install rules of the library, shared by the test tree (ctests/CMakeLists.txt,
# `cmake --install build`) and the Debian packaging (packaging/CMakeLists.txt).
# Expects ZK_STAGED_LIBDIR (the libraries staged by scripts/stage-lib.sh) and
# ZK_REPO (the repository root). Installs, for each of libzookeeper_mt and
# libzookeeper_st found in ZK_STAGED_LIBDIR at install time:
#   component runtime: lib/libNAME.so.2.0.0, lib/libNAME.so.2
#   component dev:     lib/libNAME.so, lib/libNAME.a, include/zookeeper/*.h,
#                      lib/pkgconfig/NAME.pc, lib/cmake/ZooKeeper/*.cmake
include(GNUInstallDirs)
set(ZK_PACKAGE_VERSION 3.8.0)
foreach(v mt st)
  set(_l ${ZK_STAGED_LIBDIR}/libzookeeper_${v})
  install(FILES ${_l}.so.2.0.0 ${_l}.so.2 DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime OPTIONAL)
  install(FILES ${_l}.so ${_l}.a DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev OPTIONAL)
endforeach()
install(DIRECTORY ${ZK_REPO}/include/zookeeper DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev)
# pkg-config files and the CMake package are written at install time, for the
# prefix given then (`cmake --install --prefix`), and only for the variants
# that are staged.
install(CODE "
  set(ZK_STAGED_LIBDIR \"${ZK_STAGED_LIBDIR}\")
  set(ZK_LIBDIR \"${CMAKE_INSTALL_LIBDIR}\")
  set(ZK_INCLUDEDIR \"${CMAKE_INSTALL_INCLUDEDIR}\")
  set(ZK_TEMPLATES \"${CMAKE_CURRENT_LIST_DIR}\")
  set(ZK_PACKAGE_VERSION \"${ZK_PACKAGE_VERSION}\")" COMPONENT dev)
install(SCRIPT ${CMAKE_CURRENT_LIST_DIR}/ZooKeeperInstallFiles.cmake COMPONENT dev)
