"""The real data.gouv.fr Python client (`datagouv-client` from PyPI) against a running Plateau.

Usage: python datagouv_client_scenario.py <base-url> <api-key>

Creates a dataset, updates it, adds a remote resource, uploads a file, reads everything back
through the client, then deletes the dataset. Any difference from what the client expects
raises, and the exit status is non-zero.
"""

import sys
import tempfile

from datagouv import Client


def main(base_url: str, api_key: str) -> None:
    client = Client(api_key=api_key, verbose=False)
    client.base_url = base_url.rstrip("/")

    dataset = client.create_dataset(
        {
            "title": "Qualité de l'air — scénario client",
            "description": "Un jeu de données créé par datagouv-client contre Plateau, "
            "pour vérifier que le client officiel fonctionne sans modification.",
            "frequency": "monthly",
        }
    )
    assert dataset.title.startswith("Qualité"), dataset.title
    assert dataset.frequency == "monthly", dataset.frequency

    dataset.update({"title": "Qualité de l'air (mis à jour)", "tags": ["air", "qualite"]})
    assert dataset.title == "Qualité de l'air (mis à jour)", dataset.title
    assert sorted(dataset.tags) == ["air", "qualite"], dataset.tags

    remote = dataset.create_remote(
        {"title": "Mesures horaires", "url": "https://example.org/mesures.csv", "format": "csv"}
    )
    assert remote.url == "https://example.org/mesures.csv", remote.url
    assert remote.filetype == "remote", remote.filetype

    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as handle:
        handle.write("station;date;pm10\n")
        for day in range(1, 29):
            handle.write(f"Paris;2026-02-{day:02d};{day * 1.5:.1f}\n")
        path = handle.name
    uploaded = dataset.create_static(path, {"title": "Mesures de février"})
    assert uploaded.filetype == "file", uploaded.filetype
    assert uploaded.format == "csv", uploaded.format
    assert uploaded.title == "Mesures de février", uploaded.title

    fresh = client.dataset(dataset.id)
    titles = sorted(r.title for r in fresh.resources)
    assert titles == ["Mesures de février", "Mesures horaires"], titles

    dataset.delete()
    print(f"datagouv-client scenario passed against {base_url} (dataset {dataset.id})")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
