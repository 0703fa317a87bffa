// EXPECT_CONTAINS(text, part): the check for messages whose exact wording is tested
// elsewhere and where only the part that names the problem matters here (an error raised
// deep inside, a message that carries a path or a number of the run).
#pragma once
#include <gtest/gtest.h>

#include <string>

#define EXPECT_CONTAINS(haystack, needle)                               \
  do {                                                                  \
    const std::string h_ = (haystack);                                  \
    EXPECT_NE(h_.find(needle), std::string::npos) << "message: " << h_; \
  } while (0)
