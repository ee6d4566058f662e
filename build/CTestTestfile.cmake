# CMake generated Testfile for 
# Source directory: /work/main
# Build directory: /work/main/build
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
subdirs("src/core")
subdirs("src/mem")
subdirs("src/table")
subdirs("src/ops")
subdirs("src/kvm")
subdirs("src/sva")
subdirs("src/script")
subdirs("tools")
subdirs("tests")
subdirs("bench")
subdirs("examples")
