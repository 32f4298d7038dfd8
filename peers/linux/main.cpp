#include "peers/linux/linux_peer.hpp"

int main(int argc, char** argv) { return wireproof::peers::linux_tcp::run_linux_peer(argc, argv); }
