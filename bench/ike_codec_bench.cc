// IKE message codec cost: encode and decode (with payload rules) of the two
// messages every handshake sends most, cleartext IKE_SA_INIT and the
// encrypted IKE_AUTH (SK with AES-GCM-16-128: the decrypt and ICV check are
// part of what a responder pays per message).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>

#include "common/random.h"
#include "ike/codec.h"
#include "ike/sk_cipher.h"
#include "ike_messages.h"

namespace ipsec::bench {
namespace {

// A fixed IV source: the codec asks for IV bytes on every EncodeEncrypted.
class CountingRandom : public RandomSource {
 public:
  bool Fill(std::span<uint8_t> out) override {
    for (auto& b : out) b = static_cast<uint8_t>(n_++);
    return true;
  }

 private:
  uint64_t n_ = 0;
};

[[noreturn]] void Die(const char* what, const std::string& why) {
  std::fprintf(stderr, "bench: %s: %s\n", what, why.c_str());
  std::exit(1);
}

ike::SkCipher GcmCipher() {
  SecureBytes key(20);  // 16-byte AES key || 4-byte salt
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(i);
  auto c = ike::SkCipher::Create(ike::encr::kAesGcm16, 128, ike::integ::kNone, key, {});
  if (!c) Die("SkCipher::Create", c.error().message);
  return std::move(c).value();
}

void BM_EncodeSaInit(benchmark::State& state) {
  const ike::Message m = SaInitRequest(static_cast<uint16_t>(state.range(0)));
  size_t bytes = 0;
  for (auto _ : state) {
    auto out = ike::Encode(m);
    if (!out) Die("Encode", out.error().message);
    bytes = out->size();
    benchmark::DoNotOptimize(out->data());
  }
  state.counters["msg_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_EncodeSaInit)->ArgName("dh")->Arg(14)->Arg(19)->Arg(31);

void BM_DecodeSaInit(benchmark::State& state) {
  auto wire = ike::Encode(SaInitRequest(static_cast<uint16_t>(state.range(0))));
  if (!wire) Die("Encode", wire.error().message);
  for (auto _ : state) {
    auto m = ike::Decode(*wire);
    if (!m) Die("Decode", m.error().message);
    benchmark::DoNotOptimize(m->payloads.data());
  }
  state.counters["msg_bytes"] = static_cast<double>(wire->size());
}
BENCHMARK(BM_DecodeSaInit)->ArgName("dh")->Arg(14)->Arg(19)->Arg(31);

void BM_EncodeAuthEncrypted(benchmark::State& state) {
  const ike::Message m = AuthRequest();
  const ike::SkCipher cipher = GcmCipher();
  CountingRandom random;
  size_t bytes = 0;
  for (auto _ : state) {
    auto out = ike::EncodeEncrypted(m, cipher, random);
    if (!out) Die("EncodeEncrypted", out.error().message);
    bytes = out->size();
    benchmark::DoNotOptimize(out->data());
  }
  state.counters["msg_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_EncodeAuthEncrypted);

void BM_DecodeAuthEncrypted(benchmark::State& state) {
  const ike::SkCipher cipher = GcmCipher();
  CountingRandom random;
  auto wire = ike::EncodeEncrypted(AuthRequest(), cipher, random);
  if (!wire) Die("EncodeEncrypted", wire.error().message);
  for (auto _ : state) {
    auto m = ike::Decode(*wire, &cipher);
    if (!m) Die("Decode", m.error().message);
    benchmark::DoNotOptimize(m->payloads.data());
  }
  state.counters["msg_bytes"] = static_cast<double>(wire->size());
}
BENCHMARK(BM_DecodeAuthEncrypted);

}  // namespace
}  // namespace ipsec::bench
