"""feedsmith: publish a folder of YAML news articles as RSS 2.0, Atom 1.0, JSON Feed 1.1 and pages.

The pipeline, one module per stage: ``load`` (files -> YAML values with lines) -> ``validate``
(-> the ``model``) -> ``markup``, ``feeds``, ``pages`` (-> bytes) -> ``write`` (-> the output
folder). ``publish`` runs it; ``cli`` is the command line.
"""

from feedsmith.errors import ContentErrors, FeedsmithError, InputError
from feedsmith.publish import PublishOptions, PublishReport, check, publish

# The one place the version is written (pyproject reads it). A literal rather than an
# importlib.metadata lookup: that import and search cost ~15 ms of every no-change publish.
__version__ = "0.1.0"

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
