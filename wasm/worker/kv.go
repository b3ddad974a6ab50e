//go:build js && wasm

package main

import (
	"context"
	"fmt"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/hsmsim/hsmsim/server"
)

// kvPrefix keeps share keys apart from anything else the namespace may
// hold later.
const kvPrefix = "share:"

// kvNull is what Namespace.GetString answers, with no error, for a key
// that does not exist: JavaScript's null turned into a Go string. A share
// document is a JSON object and never equals it.
const kvNull = "<null>"

// kvStore keeps shares in Workers KV. The namespace is looked up on each
// call because the binding lives in the request's runtime context.
type kvStore struct{ binding string }

func newShareStore() server.Store { return kvStore{binding: shareBinding} }

func (s kvStore) namespace() (*kv.Namespace, error) {
	ns, err := kv.NewNamespace(s.binding)
	if err != nil {
		return nil, fmt.Errorf("KV binding %s: %w (is it in wrangler.jsonc?)", s.binding, err)
	}
	return ns, nil
}

// Put implements server.Store.
func (s kvStore) Put(_ context.Context, id string, doc []byte) error {
	ns, err := s.namespace()
	if err != nil {
		return err
	}
	return ns.PutString(kvPrefix+id, string(doc), nil)
}

// Get implements server.Store.
func (s kvStore) Get(_ context.Context, id string) ([]byte, error) {
	ns, err := s.namespace()
	if err != nil {
		return nil, err
	}
	v, err := ns.GetString(kvPrefix+id, nil)
	if err != nil {
		return nil, err
	}
	if v == kvNull {
		return nil, server.ErrNotFound
	}
	return []byte(v), nil
}
