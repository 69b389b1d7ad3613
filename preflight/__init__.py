"""The offline engine: plan a stack on mocks and run the real policy pack over it, no AWS needed."""

import os

# gRPC's C core (grpcio >= 1.68, absl logging) writes INFO lines to stderr by default, such as
# "Got goaway ... Cancelling all calls" when the policy pack exits as its channel closes: noise in
# a report whose stderr is one line or nothing. Set before anything imports grpc; the pack
# inherits it (pack_environment copies this environment). A user's own GRPC_VERBOSITY is kept.
os.environ.setdefault("GRPC_VERBOSITY", "ERROR")
