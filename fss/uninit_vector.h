// A std::vector whose sized construction and resize leave new elements default-initialised
// (indeterminate for integers) instead of zeroed: for the dealer's large scratch arrays that a
// parallel loop then writes in full. A zeroed std::vector<u64>(n) costs a single-threaded memset
// over memory the loop overwrites anyway; here the loop's threads are the first to touch it.
#pragma once

#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace secinfer::fss {

template <class T>
struct DefaultInitAllocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  DefaultInitAllocator() = default;
  template <class U>
  explicit DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}
  // Value-less construction default-initialises; any other is std::construct_at's. A trivially
  // copyable aggregate such as Block (fss/block.h), whose default member initialisers would zero
  // it, is an implicit-lifetime type: the allocation already holds its objects (C++20
  // [intro.object]), so nothing is written.
  template <class U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    if constexpr (!(std::is_trivially_copyable_v<U> && std::is_trivially_destructible_v<U> &&
                    std::is_aggregate_v<U>))
      ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    std::construct_at(p, std::forward<Args>(args)...);
  }
};

template <class T>
using UninitVector = std::vector<T, DefaultInitAllocator<T>>;

}  // namespace secinfer::fss
