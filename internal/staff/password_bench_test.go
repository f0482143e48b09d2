package staff

import "testing"

// BenchmarkPassword measures one sign-in's password check: what a guesser
// pays per guess, and what a sign-in costs the server.
func BenchmarkPassword(b *testing.B) {
	h, err := hashPassword("correct horse battery staple")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if !checkPassword(h, "correct horse battery staple") {
			b.Fatal("no match")
		}
	}
}
