/* Tokenising a batch of captions as coco-caption's PTBTokenizer wrapper does:
 * the captions are joined by newlines and run through one tokenizer process,
 * so a caption can see the text after it (pycocoevalcap
 * tokenizer/ptbtokenizer.py PTBTokenizer.tokenize, called once per split by
 * densevid_eval's ANETcaptions.evaluate_tiou). Every
 * distinct caption is tokenised once and remembered. */
#ifndef WSD_PTB_BATCH_H
#define WSD_PTB_BATCH_H

#include <stddef.h>

typedef struct ptb_cache ptb_cache;

ptb_cache *ptb_cache_new(void);
void ptb_cache_free(ptb_cache *c);

/* Tokenises captions[0..n) as one batch in that order. out[i] receives the
 * tokens the wrapper would pair with caption i; the strings belong to the
 * cache and live until ptb_cache_free. Returns the number of captions that
 * contain a line break other than "\n" (CR, VT, FF): those shift every later
 * output line by one, which is emulated, not corrected. */
size_t ptb_tokenize_batch(ptb_cache *c, const char *const *captions, size_t n, const char **out);

/* Tokenises one caption on its own (end of batch after it). */
const char *ptb_tokenize_one(ptb_cache *c, const char *caption);

#endif
