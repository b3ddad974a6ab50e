//go:build js && wasm

package main

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"

	"github.com/hack-pad/safejs"

	keyder "github.com/hsmsim/hsmsim/internal/der"
)

// webCrypto is the randomness of an unseeded browser session: bytes from
// crypto/rand (which is the browser's getRandomValues), and RSA keys from
// WebCrypto's generateKey, natively compiled code that is several times
// faster than math/big in WebAssembly. mech.GenerateRSA uses it through
// mech.RSASource; seeded sessions never see it.
type webCrypto struct{}

func (webCrypto) Read(p []byte) (int, error) { return rand.Read(p) }

var errNoWebCrypto = errors.New("WebCrypto cannot make this key")

// GenerateRSA makes an RSA key pair with crypto.subtle.generateKey and
// takes its PKCS #8 export. Browsers take only the exponent 65537 (and 3);
// anything else declines, and mech generates the key itself.
func (webCrypto) GenerateRSA(bits, exponent int) (*rsa.PrivateKey, error) {
	if exponent != 65537 {
		return nil, errNoWebCrypto
	}
	subtle, err := jsPath(safejs.Global(), "crypto", "subtle")
	if err != nil || subtle.IsUndefined() {
		return nil, errNoWebCrypto
	}
	u8, err := safejs.Global().Get("Uint8Array")
	if err != nil {
		return nil, err
	}
	e, err := u8.New([]any{1, 0, 1})
	if err != nil {
		return nil, err
	}
	algo, err := safejs.ValueOf(map[string]any{"name": "RSASSA-PKCS1-v1_5", "modulusLength": bits, "hash": "SHA-256"})
	if err != nil {
		return nil, err
	}
	if err := algo.Set("publicExponent", e); err != nil {
		return nil, err
	}
	p, err := subtle.Call("generateKey", algo, true, []any{"sign", "verify"})
	if err != nil {
		return nil, err
	}
	pair, err := await(p)
	if err != nil {
		return nil, err
	}
	priv, err := pair.Get("privateKey")
	if err != nil {
		return nil, err
	}
	p, err = subtle.Call("exportKey", "pkcs8", priv)
	if err != nil {
		return nil, err
	}
	buf, err := await(p)
	if err != nil {
		return nil, err
	}
	arr, err := u8.New(buf)
	if err != nil {
		return nil, err
	}
	n, err := arr.Length()
	if err != nil {
		return nil, err
	}
	der := make([]byte, n)
	if _, err := safejs.CopyBytesToGo(der, arr); err != nil {
		return nil, err
	}
	rk, err := keyder.ParsePKCS8RSAPrivateKey(der)
	if errors.Is(err, keyder.ErrNotRSA) {
		return nil, errNoWebCrypto
	}
	if err != nil {
		return nil, err
	}
	return rk, nil
}

func jsPath(v safejs.Value, names ...string) (safejs.Value, error) {
	for _, n := range names {
		var err error
		if v, err = v.Get(n); err != nil {
			return safejs.Undefined(), err
		}
		if v.IsUndefined() || v.IsNull() {
			return safejs.Undefined(), nil
		}
	}
	return v, nil
}

// await blocks this goroutine (never a JS callback) until the promise
// settles. The callbacks only hand the result over, so the JavaScript event
// loop runs freely meanwhile.
func await(p safejs.Value) (safejs.Value, error) {
	type settled struct {
		v   safejs.Value
		err error
	}
	ch := make(chan settled, 1)
	ok, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		v := safejs.Undefined()
		if len(args) > 0 {
			v = args[0]
		}
		ch <- settled{v: v}
		return nil
	})
	if err != nil {
		return safejs.Undefined(), err
	}
	defer ok.Release()
	fail, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		msg := "promise rejected"
		if len(args) > 0 {
			if s, err := args[0].Call("toString"); err == nil {
				if str, err := s.String(); err == nil {
					msg = str
				}
			}
		}
		ch <- settled{err: errors.New(msg)}
		return nil
	})
	if err != nil {
		return safejs.Undefined(), err
	}
	defer fail.Release()
	if _, err := p.Call("then", ok.Value(), fail.Value()); err != nil {
		return safejs.Undefined(), err
	}
	r := <-ch
	return r.v, r.err
}
