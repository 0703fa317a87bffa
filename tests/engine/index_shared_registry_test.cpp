// The process-wide registry (index/shared_registry.h): one state per file and table while
// someone holds it, told apart by file, name (without case), instance and shape.
#include <gtest/gtest.h>

#include "index/shared_registry.h"

namespace iccache::index {
namespace {

TableIdentity id(uint64_t inode, const std::string& table, int64_t instance = 1) {
  return {7, inode, table, instance, 4, false};
}

TEST(SharedRegistry, OneStatePerFileAndTable) {
  SharedTable a = shared_table(id(100, "ex"), "/tmp/a.db");
  SharedTable b = shared_table(id(100, "EX"), "/tmp/b.db");  // another path to the same file
  EXPECT_EQ(a.cache, b.cache);
  EXPECT_EQ(a.training, b.training);
  EXPECT_EQ(a.attributes, b.attributes);
  EXPECT_EQ(a.lexical, b.lexical);
  EXPECT_EQ(b.path, "/tmp/b.db");
  EXPECT_EQ(a.cache.use_count(), 2);
  EXPECT_EQ(a.cache->index.dim(), 4);
}

TEST(SharedRegistry, AnotherFileTableInstanceOrShapeIsAnotherState) {
  SharedTable a = shared_table(id(200, "ex"), "");
  EXPECT_NE(shared_table(id(201, "ex"), "").cache, a.cache);
  EXPECT_NE(shared_table(id(200, "ex2"), "").cache, a.cache);
  EXPECT_NE(shared_table(id(200, "ex", 2), "").cache, a.cache);  // DROP + CREATE
  TableIdentity sq8 = id(200, "ex");
  sq8.sq8 = true;
  EXPECT_NE(shared_table(sq8, "").cache, a.cache);
}

TEST(SharedRegistry, AStateNobodyHoldsIsForgotten) {
  std::weak_ptr<IndexCache> first = shared_table(id(300, "ex"), "").cache;
  EXPECT_TRUE(first.expired());
  SharedTable again = shared_table(id(300, "ex"), "");
  EXPECT_FALSE(again.cache->loaded);  // a new, empty state
}

TEST(SharedRegistry, ATrainingStatusIsSharedAndSetUnderItsLock) {
  SharedTable a = shared_table(id(400, "ex"), "");
  a.training->set("running", "kmeans", 0.25);
  SharedTable b = shared_table(id(400, "ex"), "");
  EXPECT_EQ(b.training->state, "running");
  EXPECT_EQ(b.training->phase, "kmeans");
  EXPECT_EQ(b.training->progress, 0.25);
}

}  // namespace
}  // namespace iccache::index
