/* Varint decoding: the LEB128 rules and Go's overflow cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "varint.h"

/* Encodes v with the writer's algorithm, independent of the decoder. */
static size_t encode(uint64_t v, uint8_t *out)
{
	size_t n = 0;

	while (v >= 0x80) {
		out[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	out[n++] = (uint8_t)v;
	return n;
}

static void test_round_trip(void **state)
{
	static const uint64_t values[] = {
		0, 1, 127, 128, 255, 300, 16383, 16384, UINT32_MAX,
		(uint64_t)1 << 35, (uint64_t)1 << 56, (uint64_t)1 << 63,
		UINT64_MAX - 1, UINT64_MAX};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof values / sizeof values[0]; i++) {
		uint8_t buf[16];
		size_t n = encode(values[i], buf), len = 0;
		uint64_t v = 0;

		assert_int_equal(gt_varint_decode(buf, n, &v, &len), GT_VARINT_OK);
		assert_int_equal(len, n);
		assert_true(v == values[i]);
		/* Any shorter view of the same bytes is a short read. */
		if (n > 1) {
			assert_int_equal(gt_varint_decode(buf, n - 1, &v, &len),
			                 GT_VARINT_SHORT);
			assert_int_equal(len, n - 1);
		}
	}
}

static void test_padded_encoding_is_accepted(void **state)
{
	/* Non-minimal encodings are valid LEB128: 5 as 0x85 0x80 0x00. */
	static const uint8_t padded[] = {0x85, 0x80, 0x00};
	uint64_t v = 0;
	size_t len = 0;

	(void)state;
	assert_int_equal(gt_varint_decode(padded, 3, &v, &len), GT_VARINT_OK);
	assert_int_equal(v, 5);
	assert_int_equal(len, 3);
}

static void test_overflow(void **state)
{
	/* A tenth byte above 1 cannot fit in 64 bits. */
	static const uint8_t tenth_too_big[] = {0xff, 0xff, 0xff, 0xff, 0xff,
	                                        0xff, 0xff, 0xff, 0xff, 0x02};
	/* Ten bytes that all continue. */
	static const uint8_t endless[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
	                                  0x80, 0x80, 0x80, 0x80, 0x00};
	uint64_t v = 0;
	size_t len = 0;

	(void)state;
	assert_int_equal(gt_varint_decode(tenth_too_big, 10, &v, &len),
	                 GT_VARINT_OVERFLOW);
	assert_int_equal(len, 10);
	assert_int_equal(gt_varint_decode(endless, 11, &v, &len),
	                 GT_VARINT_OVERFLOW);
	assert_int_equal(len, 10);
}

static void test_empty_is_short(void **state)
{
	uint64_t v = 0;
	size_t len = 99;

	(void)state;
	assert_int_equal(gt_varint_decode((const uint8_t *)"", 0, &v, &len),
	                 GT_VARINT_SHORT);
	assert_int_equal(len, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_padded_encoding_is_accepted),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_empty_is_short),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
