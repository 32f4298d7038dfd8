// wireproof-linux: the kernel's TCP behind the TCP peer contract
// (peers/CONTRACT.md "TCP"). One call from main():
//
//   int main(int argc, char** argv) { return run_linux_peer(argc, argv); }
#pragma once

namespace wireproof::peers::linux_tcp {

int run_linux_peer(int argc, char** argv);

}  // namespace wireproof::peers::linux_tcp
