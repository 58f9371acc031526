"""Readable research categories: arXiv codes by name, else a small bilingual taxonomy scored on
the text and keywords."""

import math
import re
from collections.abc import Sequence

_ARXIV_TABLE = """
cs Computer Science; cs.AI Artificial Intelligence; cs.AR Hardware Architecture;
cs.CC Computational Complexity; cs.CE Computational Engineering, Finance, and Science;
cs.CG Computational Geometry; cs.CL Computation and Language; cs.CR Cryptography and Security;
cs.CV Computer Vision; cs.CY Computers and Society; cs.DB Databases;
cs.DC Distributed, Parallel, and Cluster Computing; cs.DL Digital Libraries;
cs.DM Discrete Mathematics; cs.DS Data Structures and Algorithms; cs.ET Emerging Technologies;
cs.FL Formal Languages and Automata Theory; cs.GL General Literature; cs.GR Graphics;
cs.GT Computer Science and Game Theory; cs.HC Human-Computer Interaction;
cs.IR Information Retrieval; cs.IT Information Theory; cs.LG Machine Learning;
cs.LO Logic in Computer Science; cs.MA Multiagent Systems; cs.MM Multimedia;
cs.MS Mathematical Software; cs.NA Numerical Analysis; cs.NE Neural and Evolutionary Computing;
cs.NI Networking and Internet Architecture; cs.OH Other Computer Science; cs.OS Operating Systems;
cs.PF Performance; cs.PL Programming Languages; cs.RO Robotics; cs.SC Symbolic Computation;
cs.SD Sound; cs.SE Software Engineering; cs.SI Social and Information Networks;
cs.SY Systems and Control;
stat Statistics; stat.AP Applied Statistics; stat.CO Statistical Computation;
stat.ME Statistical Methodology; stat.ML Machine Learning; stat.OT Other Statistics;
stat.TH Statistics Theory;
eess Electrical Engineering and Systems Science; eess.AS Audio and Speech Processing;
eess.IV Image and Video Processing; eess.SP Signal Processing; eess.SY Systems and Control;
econ Economics; econ.EM Econometrics; econ.GN General Economics; econ.TH Theoretical Economics;
math Mathematics; math.AC Commutative Algebra; math.AG Algebraic Geometry;
math.AP Analysis of PDEs; math.AT Algebraic Topology; math.CA Classical Analysis and ODEs;
math.CO Combinatorics; math.CT Category Theory; math.CV Complex Variables;
math.DG Differential Geometry; math.DS Dynamical Systems; math.FA Functional Analysis;
math.GM General Mathematics; math.GN General Topology; math.GR Group Theory;
math.GT Geometric Topology; math.HO History and Overview; math.IT Information Theory;
math.KT K-Theory and Homology; math.LO Logic; math.MG Metric Geometry;
math.MP Mathematical Physics; math.NA Numerical Analysis; math.NT Number Theory;
math.OA Operator Algebras; math.OC Optimization and Control; math.PR Probability;
math.QA Quantum Algebra; math.RA Rings and Algebras; math.RT Representation Theory;
math.SG Symplectic Geometry; math.SP Spectral Theory; math.ST Statistics Theory;
q-bio Quantitative Biology; q-bio.BM Biomolecules; q-bio.CB Cell Behavior; q-bio.GN Genomics;
q-bio.MN Molecular Networks; q-bio.NC Neurons and Cognition; q-bio.OT Other Quantitative Biology;
q-bio.PE Populations and Evolution; q-bio.QM Quantitative Methods;
q-bio.SC Subcellular Processes; q-bio.TO Tissues and Organs;
q-fin Quantitative Finance; q-fin.CP Computational Finance; q-fin.EC Economics;
q-fin.GN General Finance; q-fin.MF Mathematical Finance; q-fin.PM Portfolio Management;
q-fin.PR Pricing of Securities; q-fin.RM Risk Management; q-fin.ST Statistical Finance;
q-fin.TR Trading and Market Microstructure;
astro-ph Astrophysics; astro-ph.CO Cosmology and Nongalactic Astrophysics;
astro-ph.EP Earth and Planetary Astrophysics; astro-ph.GA Astrophysics of Galaxies;
astro-ph.HE High Energy Astrophysical Phenomena;
astro-ph.IM Instrumentation and Methods for Astrophysics; astro-ph.SR Solar and Stellar Astrophysics;
cond-mat Condensed Matter; cond-mat.dis-nn Disordered Systems and Neural Networks;
cond-mat.mes-hall Mesoscale and Nanoscale Physics; cond-mat.mtrl-sci Materials Science;
cond-mat.other Other Condensed Matter; cond-mat.quant-gas Quantum Gases;
cond-mat.soft Soft Condensed Matter; cond-mat.stat-mech Statistical Mechanics;
cond-mat.str-el Strongly Correlated Electrons; cond-mat.supr-con Superconductivity;
gr-qc General Relativity and Quantum Cosmology; hep-ex High Energy Physics - Experiment;
hep-lat High Energy Physics - Lattice; hep-ph High Energy Physics - Phenomenology;
hep-th High Energy Physics - Theory; math-ph Mathematical Physics; nucl-ex Nuclear Experiment;
nucl-th Nuclear Theory; quant-ph Quantum Physics;
nlin Nonlinear Sciences; nlin.AO Adaptation and Self-Organizing Systems; nlin.CD Chaotic Dynamics;
nlin.CG Cellular Automata and Lattice Gases; nlin.PS Pattern Formation and Solitons;
nlin.SI Exactly Solvable and Integrable Systems;
physics Physics; physics.acc-ph Accelerator Physics; physics.ao-ph Atmospheric and Oceanic Physics;
physics.app-ph Applied Physics; physics.atm-clus Atomic and Molecular Clusters;
physics.atom-ph Atomic Physics; physics.bio-ph Biological Physics; physics.chem-ph Chemical Physics;
physics.class-ph Classical Physics; physics.comp-ph Computational Physics;
physics.data-an Data Analysis, Statistics and Probability; physics.ed-ph Physics Education;
physics.flu-dyn Fluid Dynamics; physics.gen-ph General Physics; physics.geo-ph Geophysics;
physics.hist-ph History and Philosophy of Physics; physics.ins-det Instrumentation and Detectors;
physics.med-ph Medical Physics; physics.optics Optics; physics.plasm-ph Plasma Physics;
physics.pop-ph Popular Physics; physics.soc-ph Physics and Society; physics.space-ph Space Physics
"""
ARXIV_CATEGORY_NAMES: dict[str, str] = dict(
    entry.strip().split(" ", 1) for entry in _ARXIV_TABLE.split(";") if entry.strip()
)
_BY_LOWER_CODE = {code.lower(): name for code, name in ARXIV_CATEGORY_NAMES.items()}
_ARXIV_CODE = re.compile(r"^([a-z]+(?:-[a-z]+)?)(?:\.([a-z]+(?:-[a-z]+)?))?$", re.I)
# ACM classes ('I.2.7') and MSC codes ('68T50') that arXiv lists beside its own categories.
_CLASSIFICATION_CODE = re.compile(r"^(?:[A-K]\.\d+(?:\.\d+)?|\d\d[A-Z\-]\d\d)$")

# Research areas with indicative English and Chinese terms (lowercase; plurals match too).
AREAS: tuple[tuple[str, str, str], ...] = (
    (
        "Machine Learning",
        "machine learning, deep learning, neural network, gradient descent, supervised, "
        "self-supervised, unsupervised, fine-tuning, overfitting, regularization, loss function, "
        "classifier, representation learning, generalization, hyperparameter, transformer",
        "机器学习 深度学习 神经网络 梯度 监督学习 微调 损失函数 泛化 表示学习 过拟合",
    ),
    (
        "Computer Vision",
        "image, visual, object detection, segmentation, pixel, convolutional, cnn, video, camera, "
        "depth estimation, stereo, optical flow, 3d reconstruction, point cloud, vit",
        "图像 视觉 目标检测 语义分割 像素 卷积 视频 相机 深度估计 双目 立体匹配 光流 点云",
    ),
    (
        "Natural Language Processing",
        "natural language, language model, nlp, tokenization, machine translation, "
        "question answering, summarization, sentiment, named entity, corpus, llm, dialogue, "
        "large language model, text generation",
        "自然语言 语言模型 分词 机器翻译 问答 文本摘要 情感分析 大模型 语料 对话",
    ),
    (
        "Speech and Audio",
        "speech, audio, acoustic, speaker, asr, speech recognition, text-to-speech, tts, "
        "spectrogram, waveform, music",
        "语音 音频 声学 说话人 语音识别 语音合成 音乐",
    ),
    (
        "Multimodal Learning",
        "multimodal, vision-language, vlm, image-text, cross-modal, visual question answering, "
        "captioning, clip",
        "多模态 视觉语言 跨模态 图文 视觉问答",
    ),
    (
        "Reinforcement Learning",
        "reinforcement learning, reward, policy gradient, markov decision, q-learning, rlhf, "
        "exploration, actor-critic",
        "强化学习 奖励 策略梯度 马尔可夫",
    ),
    (
        "Robotics",
        "robot, robotic, manipulation, grasping, locomotion, navigation, slam, "
        "autonomous driving, embodied, trajectory",
        "机器人 机械臂 抓取 导航 自动驾驶 具身 轨迹",
    ),
    (
        "Information Retrieval",
        "retrieval, search engine, ranking, recommendation, recommender, query, rag, "
        "retrieval-augmented, bm25, dense retrieval, reranking",
        "检索 搜索引擎 排序 推荐系统 查询 检索增强 召回",
    ),
    (
        "Artificial Intelligence",
        "reasoning, planning, knowledge graph, agent, chain-of-thought, tool use, symbolic, "
        "artificial intelligence",
        "人工智能 知识图谱 智能体 思维链 规划 工具调用",
    ),
    (
        "Efficient Machine Learning",
        "inference, latency, throughput, gpu, quantization, pruning, distillation, compression, "
        "on-device, edge device, accelerator, flops, memory footprint",
        "量化 剪枝 蒸馏 压缩 延迟 显存 吞吐 边缘设备 端侧 加速",
    ),
    (
        "Computer Graphics",
        "rendering, mesh, neural radiance, nerf, gaussian splatting, animation, texture, shading",
        "渲染 网格 纹理 动画 辐射场",
    ),
    (
        "Human-Computer Interaction",
        "user study, interface, usability, participant, interaction design, accessibility, "
        "visualization",
        "用户研究 交互 界面 可用性 可视化",
    ),
    (
        "Security and Privacy",
        "security, attack, adversarial, privacy, encryption, malware, vulnerability, "
        "differential privacy, jailbreak, backdoor",
        "安全 攻击 对抗样本 隐私 加密 漏洞 越狱 后门",
    ),
    (
        "Databases",
        "database, sql, query processing, transaction, mongodb, nosql, data management, schema",
        "数据库 事务 数据管理",
    ),
    (
        "Distributed Systems",
        "distributed, cluster, parallel, scheduling, cloud computing, datacenter, "
        "fault tolerance, consensus",
        "分布式 集群 并行 调度 云计算 容错",
    ),
    (
        "Software Engineering",
        "software engineering, code generation, program repair, bug, unit test, compiler, "
        "developer, code review, source code",
        "软件工程 代码生成 程序修复 缺陷 单元测试 编译器 源代码",
    ),
    (
        "Networking",
        "network protocol, wireless, 5g, routing, packet, bandwidth, internet, "
        "communication system",
        "无线 路由 网络协议 带宽 通信系统",
    ),
    (
        "Theory and Algorithms",
        "theorem, proof, lemma, complexity, np-hard, approximation algorithm, upper bound, "
        "lower bound, polynomial time",
        "定理 证明 引理 复杂度 近似算法 上界 下界",
    ),
    (
        "Statistics",
        "statistical, bayesian, regression, estimator, hypothesis test, variance, posterior, "
        "likelihood, confidence interval",
        "统计 贝叶斯 回归 估计量 假设检验 方差 后验 似然",
    ),
    (
        "Physics",
        "quantum, particle, physics, field theory, relativity, plasma, thermodynamics, "
        "hamiltonian, photon",
        "量子 粒子 物理 相对论 等离子体 热力学 光子",
    ),
    (
        "Biology and Medicine",
        "protein, gene, genomic, cell, clinical, patient, disease, medical, drug, molecular, "
        "healthcare, diagnosis",
        "蛋白质 基因 细胞 临床 患者 疾病 医学 药物 医疗 诊断",
    ),
    (
        "Chemistry and Materials",
        "molecule, chemical, material, catalyst, crystal, reaction, polymer",
        "分子 化学 材料 催化 晶体 聚合物",
    ),
    (
        "Economics and Finance",
        "market, economic, finance, financial, price, trading, portfolio, stock, monetary",
        "市场 经济 金融 价格 交易 投资组合 股票",
    ),
    (
        "Education",
        "student, education, learning outcome, curriculum, teaching, classroom",
        "教育 学生 教学 课程 课堂",
    ),
)
FALLBACK_AREA = "Other"
_TEXT_SAMPLE = 60000  # the first pages tell the field; scanning the rest changes little
_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")


def arxiv_category_name(code: str) -> str | None:
    """'cs.CV' -> 'Computer Vision'; an unknown code of a known archive -> the archive's name."""
    code = code.strip()
    if code.lower() in _BY_LOWER_CODE:
        return _BY_LOWER_CODE[code.lower()]
    match = _ARXIV_CODE.match(code)
    return _BY_LOWER_CODE.get(match.group(1).lower()) if match and match.group(2) else None


def categorize(
    *,
    arxiv_categories: Sequence[str] = (),
    keywords: Sequence[str] = (),
    text: str = "",
    limit: int = 10,
) -> list[str]:
    """Readable category names, best first, at most `limit`.

    arXiv codes are named ('cs.CV' -> 'Computer Vision'); entries that are already names
    (e.g. from an LLM) are kept. Without any, the taxonomy areas the text and keywords point
    to; a paper with text always gets at least one.
    """
    named = _names_from_codes(arxiv_categories)
    if named:
        return named[:limit]
    return _areas_for(text, keywords, limit)


def _names_from_codes(categories: Sequence[str]) -> list[str]:
    names: dict[str, None] = {}
    for raw in categories:
        entry = " ".join(raw.split())
        if not entry or _CLASSIFICATION_CODE.match(entry):
            continue
        name = arxiv_category_name(entry)
        if name is None and _ARXIV_CODE.match(entry) and "." in entry:
            continue  # a code of an archive nobody knows: no readable name to give
        names.setdefault(name or entry, None)
    return list(names)


def _areas_for(text: str, keywords: Sequence[str], limit: int) -> list[str]:
    sample = text[:_TEXT_SAMPLE]
    words = " " + " ".join(_WORD.findall(sample.lower())) + " "
    keyword_words = " " + " | ".join(" ".join(_WORD.findall(k.lower())) for k in keywords) + " "
    keyword_text = " ".join(keywords)
    scores: dict[str, float] = {}
    for name, english, chinese in AREAS:
        score = 0.0
        for term in english.split(", "):
            hits = words.count(f" {term} ") + words.count(f" {term}s ")
            score += math.log1p(hits) + 3 * keyword_words.count(f" {term} ")
            score += 3 * keyword_words.count(f" {term}s ")
        for term in chinese.split():
            score += math.log1p(sample.count(term)) + 3 * keyword_text.count(term)
        if score > 0:
            scores[name] = score
    if not scores:
        return [FALLBACK_AREA] if (text.strip() or keywords) and limit > 0 else []
    ranked = sorted(scores, key=lambda name: (-scores[name], name))
    top = scores[ranked[0]]
    return [name for name in ranked if scores[name] >= max(0.35 * top, 1.0)][:limit] or ranked[:1]
