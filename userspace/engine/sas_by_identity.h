// Established IKE SAs by the pair of identities they authenticated (ours,
// the peer's), which never change for the life of an SA. Two SAs can only
// be duplicates of one another (duplicate_sas.h) when they hold the same
// pair, so the engine's pass after every message looks at the groups with
// more than one member only: with 1,000 peers, each with its own IDs, that
// is nothing, where a pass over every SA made each message cost O(n) and
// bringing n peers up O(n^2).
#pragma once

#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace ipsec::engine {

class IkeSa;

class SasByIdentity {
 public:
  // Files sa under its identities; again for the same SA: nothing.
  void Add(IkeSa* sa);
  // Takes sa out (nothing if it was never added). Returns the SA its group
  // leaves alone, if it leaves exactly one, else nullptr.
  IkeSa* Remove(IkeSa* sa);
  // The SAs filed under the identities sa holds (sa among them if added).
  std::vector<IkeSa*> WithIdentitiesOf(const IkeSa& sa) const;
  // Every SA that shares its identities with another.
  std::vector<IkeSa*> Crowded() const;
  size_t size() const { return key_of_.size(); }

 private:
  std::unordered_map<std::string, std::vector<IkeSa*>> groups_;
  std::unordered_map<const IkeSa*, std::string> key_of_;
  std::set<std::string> crowded_;  // keys of groups with two or more
};

}  // namespace ipsec::engine
