//! The public strategies (feature `proptest`) produce valid values.

#![cfg(feature = "proptest")]
#![allow(clippy::unwrap_used)] // tests unwrap what they have just set up

use mapisim::flags::{LogonFlags, MapiFlags};
use mapisim::ids::{EntryId, WrappedStoreEntryId};
use mapisim::props::PropBag;
use mapisim::strategy;
use proptest::prelude::*;

proptest! {
    #[test]
    fn entry_ids_round_trip(id in strategy::entry_id()) {
        prop_assert_eq!(EntryId::parse(&id.to_bytes()).unwrap(), id);
    }

    #[test]
    fn wrapped_ids_round_trip(w in any::<WrappedStoreEntryId>()) {
        prop_assert_eq!(WrappedStoreEntryId::parse(&w.to_bytes()).unwrap(), w);
    }

    #[test]
    fn known_flags_have_no_unknown_bits(f in strategy::known_flags::<LogonFlags>(), g in strategy::any_flags::<LogonFlags>()) {
        prop_assert_eq!(f.unknown_bits(), 0);
        prop_assert_eq!(g.bits() & LogonFlags::all().bits() | g.unknown_bits(), g.bits());
    }

    #[test]
    fn generated_bags_accept_their_own_properties(bag in strategy::prop_bag()) {
        let mut copy = PropBag::new();
        for p in &bag {
            copy.set(p.tag, p.value.clone()).unwrap();
        }
        prop_assert_eq!(copy, bag);
    }
}
