"""feedsmith: publish a folder of YAML news articles as RSS 2.0, Atom 1.0, JSON Feed 1.1 and pages.

The pipeline, one module per stage: ``load`` (files -> YAML values with lines) -> ``validate``
(-> the ``model``) -> ``markup``, ``feeds``, ``pages`` (-> bytes) -> ``write`` (-> the output
folder). ``publish`` runs it; ``cli`` is the command line.
"""

from importlib.metadata import PackageNotFoundError, version

from feedsmith.errors import ContentErrors, FeedsmithError, InputError
from feedsmith.publish import PublishOptions, PublishReport, check, publish

try:
    __version__ = version("feedsmith")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

__all__ = [
    "ContentErrors",
    "FeedsmithError",
    "InputError",
    "PublishOptions",
    "PublishReport",
    "__version__",
    "check",
    "publish",
]
