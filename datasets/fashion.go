package datasets

// FashionMNISTDir is where the Debian package dataset-fashion-mnist installs
// its four idx files.
const FashionMNISTDir = "/usr/share/datasets/fashion-mnist"

// FashionMNISTClassNames are Fashion-MNIST's class names, index = label.
var FashionMNISTClassNames = []string{
	"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
	"Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
}

// fashionFix is the advice attached to errors about Fashion-MNIST's files.
const fashionFix = "install or re-install them with `apt-get update && apt-get install -y --reinstall dataset-fashion-mnist` (files under " +
	FashionMNISTDir + "), or pass --data DIR with the four idx files (train-images-idx3-ubyte.gz, …)"

// LoadFashionMNIST loads Fashion-MNIST's 60,000 training and 10,000 test
// images (1×28×28, 10 classes, 6,000/1,000 per class) from dir, which holds
// the four idx files, gzip-compressed or raw. dir "" means FashionMNISTDir.
// When the files are absent the error names the apt-get command that
// installs them.
func LoadFashionMNIST(dir string) (train, test *Set, err error) {
	if dir == "" {
		dir = FashionMNISTDir
	}
	return loadIDXSplits(dir, "fashion-mnist", FashionMNISTClassNames, fashionFix)
}
