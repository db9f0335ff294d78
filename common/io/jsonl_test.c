/* Configuration fields read from JSON: a missing field keeps its value, a
 * present one must be an integer (a number) within its bounds, and the
 * message names the field and the bounds. */
#include <string.h>

#include <cJSON.h>

#include "base/util.h"
#include "io/jsonl.h"
#include "testing/test.h"

static void config_fields(void) {
    cJSON *o = cJSON_Parse("{\"h\": 8, \"half\": 2.5, \"neg\": -1, \"s\": \"x\", \"p\": 0.3}");
    int v = 7;
    float f = 1.0f;
    CHECK(wsd_json_int(o, "missing", 1, 10, &v) == 0 && v == 7);
    CHECK(wsd_json_int(o, "h", 1, 10, &v) == 0 && v == 8);
    CHECK(wsd_json_int(o, "h", 1, 5, &v) == -1 && v == 8);
    CHECK_MSG(strstr(wsd_error(), "\"h\" must be an integer in [1, 5]") != NULL, "%s", wsd_error());
    CHECK(wsd_json_int(o, "half", 0, 10, &v) == -1);
    CHECK(wsd_json_int(o, "neg", 0, 10, &v) == -1);
    CHECK(wsd_json_int(o, "s", 0, 10, &v) == -1);
    CHECK(wsd_json_float(o, "p", 0, 0.99, &f) == 0 && f == 0.3f);
    CHECK(wsd_json_float(o, "half", 0, 0.99, &f) == -1 && f == 0.3f);
    CHECK_MSG(strstr(wsd_error(), "\"half\" must be a number in [0, 0.99]") != NULL, "%s",
              wsd_error());
    CHECK(wsd_json_float(o, "s", 0, 1, &f) == -1);
    CHECK(wsd_json_float(o, "missing", 0, 1, &f) == 0 && f == 0.3f);
    cJSON_Delete(o);
}

int main(void) {
    TEST_RUN(config_fields);
    return test_finish();
}
