// Diffie-Hellman cost per handshake side: one key pair generated and one
// shared secret derived from the peer's public value, per group. A full
// handshake does this twice (once per side); bench/report.py divides
// 2 x this by the handshake time to give DH's share.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>

#include "ike/crypto/dh.h"

namespace ipsec::bench {
namespace {

[[noreturn]] void Die(const char* what, const std::string& why) {
  std::fprintf(stderr, "bench: %s: %s\n", what, why.c_str());
  std::exit(1);
}

std::unique_ptr<ike::DhKeyPair> NewPair(uint16_t group) {
  auto kp = ike::GenerateDhKeyPair(group);
  if (!kp) Die("GenerateDhKeyPair", kp.error().message);
  return std::move(kp).value();
}

void BM_DhKeygen(benchmark::State& state) {
  const auto group = static_cast<uint16_t>(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(NewPair(group).get());
}
BENCHMARK(BM_DhKeygen)->ArgName("dh")->Arg(14)->Arg(19)->Arg(31)->Unit(benchmark::kMicrosecond);

void BM_DhDerive(benchmark::State& state) {
  const auto group = static_cast<uint16_t>(state.range(0));
  const auto ours = NewPair(group);
  const auto peer = NewPair(group);
  for (auto _ : state) {
    auto s = ours->ComputeSharedSecret(peer->public_value());
    if (!s) Die("ComputeSharedSecret", s.error().message);
    benchmark::DoNotOptimize(s->data());
  }
}
BENCHMARK(BM_DhDerive)->ArgName("dh")->Arg(14)->Arg(19)->Arg(31)->Unit(benchmark::kMicrosecond);

// What one side of a handshake pays: keygen + derive.
void BM_DhSide(benchmark::State& state) {
  const auto group = static_cast<uint16_t>(state.range(0));
  const auto peer = NewPair(group);
  for (auto _ : state) {
    auto ours = NewPair(group);
    auto s = ours->ComputeSharedSecret(peer->public_value());
    if (!s) Die("ComputeSharedSecret", s.error().message);
    benchmark::DoNotOptimize(s->data());
  }
}
BENCHMARK(BM_DhSide)->ArgName("dh")->Arg(14)->Arg(19)->Arg(31)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace ipsec::bench
