/* The caption tokenisation coco-caption applies before every metric: Stanford
 * CoreNLP 3.4.1 PTBTokenizer with -preserveLines -lowerCase, then a filter that
 * drops punctuation tokens (pycocoevalcap tokenizer/ptbtokenizer.py
 * PTBTokenizer.tokenize).
 *
 * This is a hand port of the lexer rules that can fire on ASCII text (the
 * evaluator turns every non-ASCII code point into a space first), checked line
 * for line against the oracle's 51,781-caption golden file. */
#ifndef WSD_PTB_TOKENIZER_H
#define WSD_PTB_TOKENIZER_H

#include <stddef.h>

/* Growable byte string; the tokenizer appends to it. */
typedef struct {
    char *data;
    size_t len, cap;
} ptb_buf;

void ptb_buf_reserve(ptb_buf *b, size_t extra);
void ptb_buf_append(ptb_buf *b, const char *s, size_t n);
void ptb_buf_free(ptb_buf *b);

/* True for the characters the Java tokenizer treats as line breaks once "\n"
 * has become a space: CR, vertical tab, form feed. */
int ptb_is_line_break(int c);

/* Tokenises one physical line (ASCII, no line breaks) and appends the kept,
 * lower-cased tokens joined by single spaces to `out`. Returns 1 when the
 * line ends in a one-letter acronym with its period ("a capital T."), whose
 * period is split off only if the text after the line triggers it (see
 * ptb_follow_splits_acronym); the period is then the last byte appended. */
int ptb_tokenize_line(const char *line, size_t len, ptb_buf *out);

/* Whether `text` (what follows a one-letter acronym in the batch) makes the
 * tokenizer split the acronym's period: after blanks and line breaks it
 * starts with one of a fixed list of capitalised words, or an SGML tag,
 * itself followed by a blank or line break. `at_end` tells whether `text`
 * reaches the end of the batch (a word there is not followed by a blank). */
int ptb_follow_splits_acronym(const char *text, size_t len, int at_end);

/* Replaces every code point >= 128 of a UTF-8 string by one space and "\n"
 * by a space, as the evaluator does before tokenising. Appends to `out`. */
void ptb_ascii_fold(const char *s, size_t len, ptb_buf *out);

#endif
