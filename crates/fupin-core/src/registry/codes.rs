//! Coded values of the registry: causes of poverty (致贫原因) and regions.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A cause of poverty (致贫原因): the twelve official causes of the 建档立卡 register plus `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[repr(u8)]
pub enum Cause {
    /// 因病: illness.
    Illness = 0,
    /// 因残: disability.
    Disability = 1,
    /// 因学: schooling costs.
    Schooling = 2,
    /// 因灾: natural disaster.
    Disaster = 3,
    /// 因婚: marriage costs.
    Marriage = 4,
    /// 缺土地: lack of land.
    Land = 5,
    /// 缺水: lack of water.
    Water = 6,
    /// 缺技术: lack of skills.
    Skills = 7,
    /// 缺资金: lack of capital.
    Capital = 8,
    /// 缺劳力: lack of labour.
    Labour = 9,
    /// 交通条件落后: poor transport.
    Transport = 10,
    /// 自身发展动力不足: lack of motivation.
    Motivation = 11,
    /// 其他: other.
    Other = 12,
}

impl Cause {
    /// Every cause, in code order.
    pub const ALL: [Cause; 13] = [
        Cause::Illness,
        Cause::Disability,
        Cause::Schooling,
        Cause::Disaster,
        Cause::Marriage,
        Cause::Land,
        Cause::Water,
        Cause::Skills,
        Cause::Capital,
        Cause::Labour,
        Cause::Transport,
        Cause::Motivation,
        Cause::Other,
    ];

    /// The code used in files and DataFrames (`illness`, `disability`, …).
    pub fn code(self) -> &'static str {
        match self {
            Cause::Illness => "illness",
            Cause::Disability => "disability",
            Cause::Schooling => "schooling",
            Cause::Disaster => "disaster",
            Cause::Marriage => "marriage",
            Cause::Land => "land",
            Cause::Water => "water",
            Cause::Skills => "skills",
            Cause::Capital => "capital",
            Cause::Labour => "labour",
            Cause::Transport => "transport",
            Cause::Motivation => "motivation",
            Cause::Other => "other",
        }
    }

    /// The Chinese name used in the register.
    pub fn chinese(self) -> &'static str {
        match self {
            Cause::Illness => "因病",
            Cause::Disability => "因残",
            Cause::Schooling => "因学",
            Cause::Disaster => "因灾",
            Cause::Marriage => "因婚",
            Cause::Land => "缺土地",
            Cause::Water => "缺水",
            Cause::Skills => "缺技术",
            Cause::Capital => "缺资金",
            Cause::Labour => "缺劳力",
            Cause::Transport => "交通条件落后",
            Cause::Motivation => "自身发展动力不足",
            Cause::Other => "其他",
        }
    }

    /// The cause with this numeric code, if any.
    pub fn from_index(index: u8) -> Option<Cause> {
        Cause::ALL.get(usize::from(index)).copied()
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Cause {
    type Err = ();

    /// Accepts the English code (any case, surrounding space ignored) or the Chinese name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        Cause::ALL
            .iter()
            .copied()
            .find(|c| c.code().eq_ignore_ascii_case(s) || c.chinese() == s)
            .ok_or(())
    }
}

/// A set of causes, one bit per [`Cause`]: two bytes per household.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct CauseSet(u16);

impl CauseSet {
    /// The empty set.
    pub const EMPTY: CauseSet = CauseSet(0);

    /// The raw bit mask (bit *i* is `Cause::ALL[i]`).
    pub fn bits(self) -> u16 {
        self.0
    }

    /// The set with this bit mask; bits above the last cause are an error.
    pub fn from_bits(bits: u16) -> Option<CauseSet> {
        (bits >> Cause::ALL.len() == 0).then_some(CauseSet(bits))
    }

    /// Whether `cause` is in the set.
    pub fn contains(self, cause: Cause) -> bool {
        self.0 & (1 << cause as u16) != 0
    }

    /// Add `cause` to the set.
    pub fn insert(&mut self, cause: Cause) {
        self.0 |= 1 << cause as u16;
    }

    /// Number of causes in the set.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// True when no cause is set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The causes in code order.
    pub fn iter(self) -> impl Iterator<Item = Cause> {
        Cause::ALL.into_iter().filter(move |c| self.contains(*c))
    }

    /// Parse `"illness;land"` (codes separated by `;`, also `,` or `|`; blanks ignored).
    /// Returns the first unknown code on failure.
    pub fn parse(text: &str) -> Result<CauseSet, String> {
        let mut set = CauseSet::EMPTY;
        for part in text.split([';', ',', '|', '；', '，']) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let cause: Cause = part.parse().map_err(|()| part.to_string())?;
            set.insert(cause);
        }
        Ok(set)
    }
}

impl fmt::Display for CauseSet {
    /// Codes joined by `;`, the registry's file format.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for cause in self.iter() {
            if !first {
                f.write_str(";")?;
            }
            f.write_str(cause.code())?;
            first = false;
        }
        Ok(())
    }
}

/// Where a village lies; it sets the village's exit threshold (出列 standard).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Region {
    /// 西部: exit when incidence is below 3 %.
    West,
    /// 中部: exit when incidence is below 2 %.
    Centre,
    /// 东部: exit when incidence is below 2 %.
    East,
}

impl Region {
    /// All regions.
    pub const ALL: [Region; 3] = [Region::West, Region::Centre, Region::East];

    /// The code used in files (`west`, `centre`, `east`).
    pub fn code(self) -> &'static str {
        match self {
            Region::West => "west",
            Region::Centre => "centre",
            Region::East => "east",
        }
    }

    /// Poverty incidence below which a village (and county) may exit: 3 % in the west, 2 %
    /// elsewhere (State Council Leading Group Office of Poverty Alleviation, 2016 exit rules).
    pub fn exit_threshold(self) -> f64 {
        match self {
            Region::West => 0.03,
            Region::Centre | Region::East => 0.02,
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Region {
    type Err = ();

    /// Accepts `west`/`centre`/`center`/`east` (any case) or 西部/中部/东部.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "west" | "西部" => Ok(Region::West),
            "centre" | "center" | "central" | "中部" => Ok(Region::Centre),
            "east" | "东部" => Ok(Region::East),
            _ => Err(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_parse_and_print_round_trip() {
        let set = CauseSet::parse("land; illness ;;因学").unwrap();
        assert_eq!(set.len(), 3);
        assert!(set.contains(Cause::Illness) && set.contains(Cause::Land));
        assert!(set.contains(Cause::Schooling));
        assert_eq!(set.to_string(), "illness;schooling;land");
        assert_eq!(CauseSet::parse(&set.to_string()).unwrap(), set);
        assert_eq!(CauseSet::parse("illness;flood"), Err("flood".to_string()));
        assert!(CauseSet::parse("").unwrap().is_empty());
    }

    #[test]
    fn cause_codes_are_unique_and_indexed() {
        for (i, c) in Cause::ALL.iter().enumerate() {
            assert_eq!(*c as usize, i);
            assert_eq!(Cause::from_index(i as u8), Some(*c));
            assert_eq!(c.code().parse::<Cause>(), Ok(*c));
            assert_eq!(c.chinese().parse::<Cause>(), Ok(*c));
        }
        assert_eq!(Cause::from_index(13), None);
        assert_eq!(CauseSet::from_bits(1 << 13), None);
    }

    #[test]
    fn region_thresholds() {
        assert_eq!("West".parse::<Region>().unwrap().exit_threshold(), 0.03);
        assert_eq!("center".parse::<Region>().unwrap(), Region::Centre);
        assert_eq!(Region::East.exit_threshold(), 0.02);
        assert!("north".parse::<Region>().is_err());
    }
}
