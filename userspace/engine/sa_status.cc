#include "engine/sa_status.h"

#include "engine/proposals.h"

namespace ipsec::engine {

namespace {

std::string StateName(IkeSa::State s) {
  switch (s) {
    case IkeSa::State::kConnecting:
      return "CONNECTING";
    case IkeSa::State::kEstablished:
      return "ESTABLISHED";
    case IkeSa::State::kDeleting:
      return "DELETING";
    case IkeSa::State::kDead:
      return "DEAD";
  }
  return "?";
}

std::string ChildStateName(ChildSa::State s) {
  switch (s) {
    case ChildSa::State::kCreating:
      return "CREATING";
    case ChildSa::State::kInstalled:
      return "INSTALLED";
    case ChildSa::State::kDeleting:
      return "DELETING";
  }
  return "?";
}

}  // namespace

IkeSaStatus StatusOf(const IkeSa& sa) {
  IkeSaStatus is;
  is.conn = sa.conn_name();
  is.spi_i = sa.spi_i;
  is.spi_r = sa.spi_r;
  is.initiator = sa.initiator();
  is.state = StateName(sa.state);
  is.local = sa.local;
  is.remote = sa.remote;
  if (sa.state == IkeSa::State::kEstablished || sa.state == IkeSa::State::kDeleting) {
    is.local_id = ike::IdToString(sa.local_id);
    is.remote_id = ike::IdToString(sa.remote_id);
    is.local_auth = sa.local_auth;
    is.remote_auth = sa.remote_auth;
    is.remote_cert = sa.remote_cert;
  }
  if (!sa.ike_proposal.transforms.empty()) is.algorithms = ProposalToString(sa.ike_proposal);
  is.nat_local = sa.nat_local;
  is.nat_remote = sa.nat_remote;
  is.established_ms = sa.established_ms;
  for (const auto& c : sa.children) {
    ChildSaStatus ch;
    ch.conn = c->conn_name();
    ch.state = ChildStateName(c->state);
    ch.reqid = c->reqid;
    ch.inbound_spi = c->inbound_spi;
    ch.outbound_spi = c->outbound_spi;
    ch.local_ts = {c->local_ts};
    ch.remote_ts = {c->remote_ts};
    if (!c->proposal.transforms.empty()) ch.algorithms = ProposalToString(c->proposal);
    ch.udp_encap = c->udp_encap;
    ch.established_ms = c->established_ms;
    is.children.push_back(std::move(ch));
  }
  return is;
}

}  // namespace ipsec::engine
