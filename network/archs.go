package network

import "ghlsim/internal/registry"

// builtinArchs is every architecture BuildArch knows, in one list (the
// builders live in arch_*.go). A program's own architecture is a Builder
// it calls itself, or one it adds with RegisterArch.
var builtinArchs = []archEntry{
	{"deephebb", "DeepHebb (GHL's DeepSoftHebb): 3 conv blocks 96/384/1536 + linear, ALGORITHM.md §5", buildDeepHebb},
	{"fasthebb", "FastHebb (GHL paper): 4 conv blocks 96/128/192/256 + fc 4096 (BP) + linear, ALGORITHM.md §5", buildFastHebb},
	vggArch("vgg11"),
	vggArch("vgg16"),
	resNetArch(20, ShortcutA), resNetArch(20, ShortcutB),
	resNetArch(32, ShortcutA), resNetArch(32, ShortcutB),
	resNetArch(44, ShortcutA), resNetArch(44, ShortcutB),
	resNetArch(56, ShortcutA), resNetArch(56, ShortcutB),
	resNetArch(110, ShortcutA), resNetArch(110, ShortcutB),
	resNetArch(1202, ShortcutA), resNetArch(1202, ShortcutB),
}

// archEntry is one named architecture.
type archEntry struct {
	name, summary string
	build         Builder
}

// archs is the registry: builtinArchs, then a program's RegisterArch calls.
var archs = registry.New("network: architecture", func(a archEntry) string { return a.name }, builtinArchs)
