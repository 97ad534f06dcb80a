// The values of a Tensor (ops.h): host words, or a vector of a vec::Space (fss/vec/vec.h) that
// the online phase leaves where its gates run (docs/design/gpu-online-phase.md "Tensors where the
// gates run"), so that one gate's output is the next gate's input without a trip through the host.
//
// Host code reads and writes the values as it does a std::vector<u64> (indexing, iteration,
// spans); the first host access to a resident tensor copies the values down (Space::download), and
// a write makes the host copy the only one. PartyOps reads resident() / vec() to hand the vector to
// a gate or a local op where it lives.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "fss/ring.h"
#include "fss/vec/vec.h"

namespace secinfer::fss::engine {

class TensorValues {
 public:
  TensorValues() = default;
  // NOLINTNEXTLINE(google-explicit-constructor): a Tensor is built from its host words
  TensorValues(std::vector<u64> host) : host_(std::move(host)) {}
  TensorValues(std::initializer_list<u64> host) : host_(host) {}

  // Values that stay in `v`'s Space until the host reads them.
  static TensorValues resident(vec::Vec v) {
    TensorValues t;
    t.host_valid_ = false;
    t.vec_ = std::make_shared<const vec::Vec>(std::move(v));
    return t;
  }
  // Host values copied into `sp` as well: resident from now on, the host words still valid, so
  // host reads copy nothing down. Nothing to do where already resident.
  void upload_to(const vec::Space& sp) {
    if (vec_ == nullptr) vec_ = std::make_shared<const vec::Vec>(sp.upload(host_));
  }

  std::size_t size() const { return vec_ ? vec_->size() : host_.size(); }
  bool empty() const { return size() == 0; }
  // The Space's copy, or null when the values are on the host only.
  bool resident() const { return vec_ != nullptr; }
  const vec::Vec* vec() const { return vec_.get(); }

  // Host reads: the values, copied down on the first read of a resident tensor.
  const std::vector<u64>& host() const {
    if (!host_valid_) {
      host_.resize(vec_->size());
      vec_->space()->download(*vec_, host_);
      host_valid_ = true;
    }
    return host_;
  }
  // Host writes: the host copy becomes the only one.
  std::vector<u64>& mut() {
    host();
    vec_.reset();
    return host_;
  }

  // std::vector's interface, for host code.
  operator const std::vector<u64>&() const { return host(); }  // NOLINT
  operator std::span<const u64>() const { return host(); }     // NOLINT
  operator std::span<u64>() { return mut(); }  // NOLINT(google-explicit-constructor)
  const u64& operator[](std::size_t i) const { return host()[i]; }
  const u64& at(std::size_t i) const { return host().at(i); }
  u64& operator[](std::size_t i) { return mut()[i]; }
  const u64* data() const { return host().data(); }
  u64* data() { return mut().data(); }
  auto begin() const { return host().begin(); }
  auto end() const { return host().end(); }
  auto begin() { return mut().begin(); }
  auto end() { return mut().end(); }
  template <class... A>
  void assign(A&&... a) {
    mut().assign(std::forward<A>(a)...);
  }
  template <class... A>
  auto insert(A&&... a) {
    return mut().insert(std::forward<A>(a)...);
  }
  void resize(std::size_t n) { mut().resize(n); }
  bool operator==(const TensorValues& o) const { return host() == o.host(); }

 private:
  mutable std::vector<u64> host_;
  mutable bool host_valid_ = true;  // host_ holds the values (always when vec_ is null)
  std::shared_ptr<const vec::Vec> vec_;
};

}  // namespace secinfer::fss::engine
