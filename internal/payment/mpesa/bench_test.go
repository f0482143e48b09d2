package mpesa

import (
	"bytes"
	"testing"
)

func benchDecode(b *testing.B, sample string, decode func([]byte) error) {
	body := readSample(b, sample)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := decode(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeC2B(b *testing.B) {
	benchDecode(b, "c2b-confirmation-v1-hashed.json", func(body []byte) error {
		_, err := DecodeC2B(bytes.NewReader(body))
		return err
	})
}

func BenchmarkDecodeSTKCallback(b *testing.B) {
	benchDecode(b, "stk-callback-success.json", func(body []byte) error {
		_, err := DecodeSTKCallback(bytes.NewReader(body))
		return err
	})
}

func BenchmarkDecodeStatusResult(b *testing.B) {
	benchDecode(b, "status-result-completed.json", func(body []byte) error {
		_, err := DecodeStatusResult(bytes.NewReader(body))
		return err
	})
}
