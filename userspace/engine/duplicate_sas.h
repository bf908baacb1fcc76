// Which IKE SAs are duplicates of one another (both ends started the same
// connections at once, or a peer that does not share opened a second one):
// same peer address, same identities, and connections that share an IKE SA
// (ike_sa_sharing.h). Found through an index by (peer, identities). This
// runs after every message the engine handles, over the SAs that share
// their identities with another only (sas_by_identity.h).
#pragma once

#include <vector>

namespace ipsec::engine {

class IkeSa;

struct DuplicateSa {
  IkeSa* extra;   // to go (who deletes it: EngineImpl::ResolveDuplicates)
  IkeSa* keeper;  // the one of its group that stays
};

// Among the settled IKE SAs in sas (established, no exchange in flight,
// every child installed: a rekey's predecessor never counts), each group of
// duplicates keeps the one with the highest (SPIi, SPIr), which both ends
// know alike, so both pick the same without talking; every other one is
// returned with that keeper.
std::vector<DuplicateSa> FindDuplicateSas(const std::vector<IkeSa*>& sas);

}  // namespace ipsec::engine
