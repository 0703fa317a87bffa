// lexical/stemmer.h: step 1 of Porter's algorithm, checked against the examples of his
// paper ("An algorithm for suffix stripping", 1980, step 1a-1c tables) and the cases this
// version leaves alone on purpose.
#include "lexical/stemmer.h"

#include <gtest/gtest.h>

#include <string>

namespace iccache::lexical {
namespace {

std::string stem(const std::string& w) {
  std::string out = "scratch that must be replaced";
  stem_word(w, out);
  return out;
}

TEST(Stemmer, PortersStepOneExamples) {
  // Step 1a: plurals.
  EXPECT_EQ(stem("caresses"), "caress");
  EXPECT_EQ(stem("ponies"), "poni");
  EXPECT_EQ(stem("ties"), "ti");
  EXPECT_EQ(stem("caress"), "caress");
  EXPECT_EQ(stem("cats"), "cat");
  // Step 1b: -eed when the stem has a vowel-consonant sequence, -ed/-ing when it has a vowel,
  // then the repairs: +e after at/bl/iz, undoubling, +e on a short cvc stem.
  EXPECT_EQ(stem("feed"), "feed");
  EXPECT_EQ(stem("agreed"), "agree");
  EXPECT_EQ(stem("plastered"), "plaster");
  EXPECT_EQ(stem("bled"), "bled");
  EXPECT_EQ(stem("motoring"), "motor");
  EXPECT_EQ(stem("sing"), "sing");
  EXPECT_EQ(stem("conflated"), "conflate");
  EXPECT_EQ(stem("troubled"), "trouble");
  EXPECT_EQ(stem("sized"), "size");
  EXPECT_EQ(stem("hopping"), "hop");
  EXPECT_EQ(stem("tanned"), "tan");
  EXPECT_EQ(stem("falling"), "fall");
  EXPECT_EQ(stem("hissing"), "hiss");
  EXPECT_EQ(stem("fizzed"), "fizz");
  EXPECT_EQ(stem("failing"), "fail");
  EXPECT_EQ(stem("filing"), "file");
  // Step 1c: y after a vowel-bearing stem.
  EXPECT_EQ(stem("happy"), "happi");
  EXPECT_EQ(stem("sky"), "sky");
}

TEST(Stemmer, FormsOfOneWordMeet) {
  EXPECT_EQ(stem("companies"), stem("company"));
  EXPECT_EQ(stem("states"), stem("state"));
  EXPECT_EQ(stem("stated"), stem("state"));
  EXPECT_EQ(stem("making"), stem("make"));
  EXPECT_EQ(stem("says"), stem("say"));
  EXPECT_EQ(stem("opened"), "open");  // m = 2: no e added
}

TEST(Stemmer, LeavesShortAndNonLetterWordsAlone) {
  // Three-letter words keep a final s (Porter would cut "gas" and "its"); shorter words and
  // anything but ASCII a-z are returned as they are.
  EXPECT_EQ(stem("its"), "its");
  EXPECT_EQ(stem("was"), "was");
  EXPECT_EQ(stem("is"), "is");
  EXPECT_EQ(stem("ed"), "ed");
  EXPECT_EQ(stem(""), "");
  EXPECT_EQ(stem("1990s"), "1990s");
  EXPECT_EQ(stem("Cats"), "Cats");
  EXPECT_EQ(stem("cafés"), "cafés");
  EXPECT_EQ(stem("naïve"), "naïve");
}

}  // namespace
}  // namespace iccache::lexical
