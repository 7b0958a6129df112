"""The square's eight symmetries: a group on [0, 1]^2, in the batch order decoding expects."""

from __future__ import annotations

import pytest
import torch

from nco.policies.symmetry import SYMMETRIES, augmented, randomly_transformed, transform


@pytest.fixture
def locs() -> torch.Tensor:
    return torch.rand(3, 7, 2, generator=torch.Generator().manual_seed(0))


def test_eight_distinct_maps_of_the_unit_square(locs):
    images = [transform(locs, which) for which in range(SYMMETRIES)]
    assert torch.equal(images[0], locs)
    for image in images:
        assert image.min() >= 0 and image.max() <= 1
        # distances between points are kept: a mirror or a quarter turn, nothing stretched
        torch.testing.assert_close(torch.cdist(image, image), torch.cdist(locs, locs))
    assert len({tuple(image.flatten().tolist()) for image in images}) == SYMMETRIES


def test_augmented_is_orientation_major(locs):
    out = augmented(locs, SYMMETRIES)
    assert out.shape == (SYMMETRIES * 3, 7, 2)
    assert torch.equal(out[2 * 3 + 1], transform(locs, 2)[1])  # row a * B + b
    with pytest.raises(ValueError):
        augmented(locs, 9)


def test_random_transform_keeps_each_instance_on_its_row(locs):
    out = randomly_transformed(locs, torch.Generator().manual_seed(1))
    for b in range(len(locs)):
        assert any(torch.equal(out[b], transform(locs[b], which)) for which in range(SYMMETRIES))
