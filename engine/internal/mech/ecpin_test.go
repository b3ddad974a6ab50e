package mech

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"testing"
)

// ecPinned are SHA-256 digests of everything a seeded EC key gives, per
// curve and seed, taken from the implementation on big.Int arithmetic the
// byte-oriented one replaced: the key's PKCS #8 and PKIX DER and PEM, its
// point, its KCV, what the generator left unread in the reader, ECDSA
// signatures from a seeded reader, and the parse of each encoding marshalled
// again. A change of any of them changes what a replayed session shows.
var ecPinned = map[string]string{
	"prime256v1/0": "041542557e681eef94496c3566e376628201c128cc1effbc4d5f76e7d765ab82",
	"prime256v1/1": "d46ea081202107d5c04c3837185cdff428b2a9432d29e1f3a4134e6ed45e91fd",
	"prime256v1/2": "4223c0fe83a12de837ee541d9b24eb9bcdd485472528ab3fa3601dd8e72af542",
	"prime256v1/3": "38a9174c41c8199805d3415052031eea6cef45a379893abe90243c2d06cc2415",
	"secp224r1/0":  "f1a6afcf7e7a399b1ec412745449528d6bbd64793dd352d2290b1dfacb319ce4",
	"secp224r1/1":  "40fe13627cc44754a19367b13b4afd827ec42b98e01f9bb7b1d2bc7f3fd89842",
	"secp224r1/2":  "e2138aa2708823df5e0a41c20c111d90235bc20c915d0a78a75ce44e9b2bc556",
	"secp224r1/3":  "83620e95860070561628fde3cb260b4d8f1ef322979004397a9bf5517f8835b9",
	"secp384r1/0":  "38391eac27a8d0d7a7dd875982aa1ece55320e2b7c23c6a94f83837f6aa2511f",
	"secp384r1/1":  "c917255ef5c1a6b19981f950267318ec04c4325721b6c611f1b2fb522d5ee336",
	"secp384r1/2":  "6c593d8a680d245d33eec214c6edee707679fddfea99c68d135ef1208fcdf148",
	"secp384r1/3":  "b09167e2447eb8b5d73417749250eb8d4622f0879ec712c8affed8fe3e98a6a5",
	"secp521r1/0":  "388f44f9889915667363daf347a492c9a9bbd23202a74098ff8e1fbf54811e58",
	"secp521r1/1":  "5af4eb258dc780cd06bf1b9ee637290036b115b1396b40e6298e8cf07c4847a1",
	"secp521r1/2":  "4b819bd5fc310bdcff596ff00f4213b5cf8754717c0c2ed0569159592cc9deab",
	"secp521r1/3":  "f1604928577c18fd4937a41dd5b7e6ad5bf81356ea19228f9f47b8db05b192b2",
	"secp256k1/0":  "8841b540b2b2ffeb6ee30eef727c5f017d1993cf8ec0f4774e36a4b85e3d3a39",
	"secp256k1/1":  "b35ed41990f2d84f636782170125e0104e9f7c7fd122e0438309a866926708f6",
	"secp256k1/2":  "0b1d8416c081cf3ac81eeb8306cfff306dd245cbdba9c31ecaa93cb55052d5cb",
	"secp256k1/3":  "20b472bc0535f310168457bc4ce7b8516b45f0567b8de7cfd30893510e55c410",
}

func ecPinDigest(t *testing.T, curveID int, seed uint64) string {
	t.Helper()
	h := sha256.New()
	put := func(label string, b []byte, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		fmt.Fprintf(h, "%s:%d:", label, len(b))
		h.Write(b)
	}
	r := seeded(seed)
	if seed == 0 {
		// A scalar of all ones (not below n) and then zero are both
		// rejected before the seeded draw.
		info, _ := CurveByID(curveID)
		n := (info.Bits + 7) / 8
		r = io.MultiReader(bytes.NewReader(bytes.Repeat([]byte{0xff}, n)), bytes.NewReader(make([]byte, n)), seeded(4))
	}
	k, err := GenerateEC(r, curveID)
	if err != nil {
		t.Fatal(err)
	}
	next := make([]byte, 16)
	_, err = io.ReadFull(r, next)
	put("next", next, err)
	der, err := MarshalPrivateKeyDER(k)
	put("pkcs8", der, err)
	pub := PublicOf(k)
	spki, err := MarshalPublicKeyDER(pub)
	put("spki", spki, err)
	p, err := MarshalPrivateKeyPEM(k)
	put("privpem", p, err)
	p, err = MarshalPublicKeyPEM(pub)
	put("pubpem", p, err)
	pt, err := pub.(*ECPublicKey).Bytes()
	put("point", pt, err)
	put("kcv", PublicCheckValue(pub), nil)
	sr := seeded(seed + 100)
	for _, m := range []int{SignECDSASHA1, SignECDSASHA224, SignECDSASHA256, SignECDSASHA384, SignECDSASHA512} {
		sig, err := Sign(sr, m, k, []byte("pinned message"))
		put(fmt.Sprint("sign", m), sig, err)
		if err := Verify(m, pub, []byte("pinned message"), sig); err != nil {
			t.Fatalf("verify %d: %v", m, err)
		}
	}
	sig, err := SignDigestECDSA(sr, k, make([]byte, 20))
	put("signdigest", sig, err)
	back, err := ParsePrivateKeyDER(der)
	if err != nil {
		t.Fatal(err)
	}
	again, err := MarshalPrivateKeyDER(back)
	put("pkcs8again", again, err)
	backPub, err := ParsePublicKeyDER(spki)
	if err != nil {
		t.Fatal(err)
	}
	again, err = MarshalPublicKeyDER(backPub)
	put("spkiagain", again, err)
	return hex.EncodeToString(h.(hash.Hash).Sum(nil))
}

func TestECOutputsPinned(t *testing.T) {
	for _, c := range CurveIDs() {
		if !c.Supported {
			continue
		}
		for seed := uint64(0); seed <= 3; seed++ {
			name := fmt.Sprintf("%s/%d", c.ShortName, seed)
			got := ecPinDigest(t, c.ID, seed)
			if want, ok := ecPinned[name]; !ok || got != want {
				t.Errorf("%q: %q,", name, got)
			}
		}
	}
}

// The hand-written PKIX and PKCS #8 DER of EC keys is what encoding/asn1
// writes for the same structures, on every curve (P-521's elements need
// long-form lengths).
func TestECDERMatchesASN1(t *testing.T) {
	type spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	for _, c := range CurveIDs() {
		if !c.Supported {
			continue
		}
		oid, err := asn1.Marshal(asn1.ObjectIdentifier(c.OID))
		if err != nil {
			t.Fatal(err)
		}
		alg := pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier(oidEC()), Parameters: asn1.RawValue{FullBytes: oid}}
		r := seeded(uint64(100 + c.ID))
		for range 8 {
			k, err := GenerateEC(r, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			pt := k.Public().pt
			want, err := asn1.Marshal(spki{alg, asn1.BitString{Bytes: pt, BitLength: 8 * len(pt)}})
			if err != nil {
				t.Fatal(err)
			}
			if got, err := MarshalPublicKeyDER(k.Public()); err != nil || !bytes.Equal(got, want) {
				t.Fatalf("%s: SubjectPublicKeyInfo %x, want %x (%v)", c.Name, got, want, err)
			}
			inner, err := asn1.Marshal(ecPrivateKeyOut{Version: 1, PrivateKey: k.Scalar(), PublicKey: asn1.BitString{Bytes: pt, BitLength: 8 * len(pt)}})
			if err != nil {
				t.Fatal(err)
			}
			want, err = asn1.Marshal(struct {
				Version    int
				Algo       pkix.AlgorithmIdentifier
				PrivateKey []byte
			}{0, alg, inner})
			if err != nil {
				t.Fatal(err)
			}
			if got, err := MarshalPrivateKeyDER(k); err != nil || !bytes.Equal(got, want) {
				t.Fatalf("%s: PKCS #8 %x, want %x (%v)", c.Name, got, want, err)
			}
		}
	}
}
