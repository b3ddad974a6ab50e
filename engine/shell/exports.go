package shell

import (
	"github.com/hsmsim/hsmsim/engine/internal/migrate"
	"github.com/hsmsim/hsmsim/engine/internal/vfs"
)

// The names below are the engine's internals that front ends need: the
// browser lists and reads files, the native tool migrates scripts. They are
// re-exported here so that everything else stays internal.

// FileInfo describes one file of the session's file system.
type FileInfo = vfs.FileInfo

// IsNotExist reports whether err says a file does not exist.
func IsNotExist(err error) bool { return vfs.IsNotExist(err) }

// Migrate rewrites a key_mgmt_util / cloudhsm_mgmt_util script into
// CloudHSM CLI commands for the session's cluster (user ids become the
// names it gives them; public key files are read from its files).
func Migrate(s *Session, script string) string {
	return (&migrate.Migrator{Cluster: s.Cluster, FS: s.FS}).Text(script)
}
