/* Varint decoding: the LEB128 rules and Go's overflow cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "wire/varint.h"

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

/*
 * The unchecked decoder agrees with the checked one wherever it may be
 * used (ten or more readable bytes): same value and length, and NULL
 * exactly where the checked one reports an overflow. Checked on every
 * value above, padded encodings, the overflow cases, and random bytes
 * biased towards long continuation runs.
 */
static void check_fast_agrees(const uint8_t *buf16)
{
	uint64_t v = 0, fv = 0;
	size_t len = 0;
	int rc = gt_varint_decode(buf16, 16, &v, &len);
	const uint8_t *end = gt_varint_decode_fast(buf16, &fv);

	assert_true(rc == GT_VARINT_OK || rc == GT_VARINT_OVERFLOW);
	if (rc == GT_VARINT_OK) {
		assert_non_null(end);
		assert_int_equal((size_t)(end - buf16), len);
		assert_true(fv == v);
	} else {
		assert_null(end);
	}
}

static void test_fast_decoder_agrees(void **state)
{
	static const uint64_t values[] = {
		0, 1, 127, 128, 255, 300, 16383, 16384, UINT32_MAX,
		(uint64_t)1 << 35, (uint64_t)1 << 56, (uint64_t)1 << 63,
		UINT64_MAX - 1, UINT64_MAX};
	static const uint8_t specials[][16] = {
		{0x85, 0x80, 0x00},
		{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
		{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02},
		{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80},
		{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00},
		{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x81},
	};
	uint64_t rng = 7;
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof values / sizeof values[0]; i++) {
		uint8_t buf[16] = {0};

		encode(values[i], buf);
		check_fast_agrees(buf);
	}
	for (i = 0; i < sizeof specials / sizeof specials[0]; i++)
		check_fast_agrees(specials[i]);
	for (i = 0; i < 200000; i++) {
		uint8_t buf[16];

		for (k = 0; k < 16; k++) {
			rng = rng * 6364136223846793005ull + 1442695040888963407ull;
			/* Mostly continuation bytes, so all lengths occur. */
			buf[k] = (uint8_t)(rng >> 56);
			if ((rng >> 20) % 8 != 0)
				buf[k] |= 0x80;
		}
		check_fast_agrees(buf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_padded_encoding_is_accepted),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_empty_is_short),
		cmocka_unit_test(test_fast_decoder_agrees),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
